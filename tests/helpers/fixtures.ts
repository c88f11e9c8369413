/** Form data that satisfies the example "returns" template. */
export const validReturn = {
  returnReason: 'defective',
  productModel: 'X200 kettle',
  purchaseDate: '2026-11-01',
  logistics: { carrier: 'SF Express', trackingNumber: 'SF123456789' },
};
