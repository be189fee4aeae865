// Small accessibility helpers shared by the screens: focus moves to a screen's heading when the
// screen appears (keyboard and screen-reader users land on what changed, not on <body>), and
// greeting text is fitted to its box instead of being clipped.
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** Focuses the element once it is mounted (a heading with tabIndex={-1}). */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return ref;
}

/** True when nothing inside `box` is cut: the box itself and each child fit their width/height. */
function fits(box: HTMLElement): boolean {
  if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) return false;
  for (const child of Array.from(box.children)) {
    if (child instanceof HTMLElement && child.scrollWidth > child.clientWidth + 1) return false;
  }
  return true;
}

/** The smallest scale text may take (of its normal size) before it stops shrinking. */
const MIN_FIT = 0.3;

/**
 * Shrinks the text of `ref` (through the CSS variable --fit, which its font sizes multiply) until
 * it fits its box: a long name wraps between words first (CSS) and only then gets smaller, and
 * never breaks inside a word or gets clipped. Re-fitted when the box or `key` changes.
 */
export function useFitText<T extends HTMLElement>(key: string): RefObject<T | null> {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    const fit = () => {
      box.style.setProperty('--fit', '1');
      if (fits(box)) return;
      let lo = MIN_FIT;
      let hi = 1;
      for (let i = 0; i < 8; i++) {
        const mid = (lo + hi) / 2;
        box.style.setProperty('--fit', mid.toFixed(3));
        if (fits(box)) lo = mid;
        else hi = mid;
      }
      box.style.setProperty('--fit', lo.toFixed(3));
    };
    fit();
    let last = `${box.clientWidth}x${box.clientHeight}`;
    const observer = new ResizeObserver(() => {
      const size = `${box.clientWidth}x${box.clientHeight}`;
      if (size === last) return;
      last = size;
      fit();
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [key]);
  return ref;
}
