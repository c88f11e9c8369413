/**
 * Words the text-search benchmarks (list-tickets, kb-suggestions) build Chinese ticket
 * descriptions and articles from: household appliances and their faults. A benchmark takes the
 * first n of each, so "one fault in n" is exact.
 */
export const APPLIANCES = [
  '空调',
  '冰箱',
  '洗衣机',
  '热水器',
  '电视',
  '油烟机',
  '微波炉',
  '净水器',
  '扫地机器人',
  '电饭煲',
  '烤箱',
  '洗碗机',
];

export const FAULTS = [
  '不制冷',
  '漏水',
  '噪音大',
  '无法开机',
  '显示故障码',
  '遥控失灵',
  '有异味',
  '跳闸',
  '屏幕闪烁',
  '加热慢',
  '门关不上',
  '不出水',
  '不排水',
  '不加热',
];
