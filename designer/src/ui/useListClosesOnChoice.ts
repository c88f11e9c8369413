import { useState } from 'react';

/**
 * A searchable single-choice Select whose list closes as soon as a choice is made. Left to itself,
 * antd's Select closes its list a moment after Enter chooses (and Enter also asks it to open
 * again), so a Tab pressed right after the choice was taken by the still-open list: the focus
 * stayed in the picker and whatever was typed next landed there. Spread `listProps` on the Select
 * and call `chosen()` in its onChange.
 */
export function useListClosesOnChoice() {
  const [isOpen, setOpen] = useState(false);
  return {
    listProps: { open: isOpen, onOpenChange: setOpen },
    chosen: () => setOpen(false),
  };
}
