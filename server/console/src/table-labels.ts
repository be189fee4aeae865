// On a phone the tables turn into one card per row (styles.css) and their header row is hidden,
// so each cell carries its column's name in `data-label`, which the phone layout draws before
// the value ("Room: Room 101"). One observer for every table of every page: pages keep writing
// plain <table className="table"> markup and cannot forget a label.

/** Copies each column's header text onto the body cells of every `.table` under `root`. */
export function labelTableCells(root: ParentNode): void {
  for (const table of Array.from(root.querySelectorAll('table.table'))) {
    const heads = Array.from(table.querySelectorAll(':scope > thead > tr > th')).map((th) =>
      (th.textContent ?? '').trim(),
    );
    if (heads.length === 0) continue;
    for (const tr of Array.from(table.querySelectorAll(':scope > tbody > tr'))) {
      const cells = Array.from(tr.children);
      // A row spanning columns (a message row) has no column to name.
      if (cells.length !== heads.length) continue;
      cells.forEach((cell, i) => {
        const label = heads[i] ?? '';
        if (cell.getAttribute('data-label') !== label) cell.setAttribute('data-label', label);
      });
    }
  }
}

/** Keeps the labels in step with what React renders (coalesced to one pass per frame). */
export function watchTableLabels(root: HTMLElement): () => void {
  let queued = false;
  const run = () => {
    queued = false;
    labelTableCells(root);
  };
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(run);
  });
  // Attribute changes are not observed: setting data-label must not wake the observer again.
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  labelTableCells(root);
  return () => observer.disconnect();
}
