// Module resolution hook: `electron` → the recording stub (the binary is not available here).
const STUB = new URL('./electron-stub.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STUB, shortCircuit: true };
  return nextResolve(specifier, context);
}
