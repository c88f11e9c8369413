/** A category path as people read it: "After-sales / Returns". */
export const categoryLabel = (path: readonly string[] | null | undefined): string => (path ?? []).join(' / ');
