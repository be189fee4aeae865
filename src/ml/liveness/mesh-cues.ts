// Presentation cues read off the face mesh (MediaPipe's 468-point topology, as Human returns it):
// how open the eyes are (a blink is live), and a few stable points whose motion across a visit
// can be compared with that of a flat, rigid photo.

/** [outer corner, inner corner, upper1, lower1, upper2, lower2] per eye. */
const RIGHT_EYE = [33, 133, 160, 144, 158, 153] as const;
const LEFT_EYE = [263, 362, 387, 373, 385, 380] as const;

/**
 * Nose tip, eye corners, mouth corners, chin, forehead, cheeks: spread over the face in depth,
 * so a turning head and a turning photo move them differently.
 */
export const KEYPOINT_INDICES = [1, 33, 133, 362, 263, 61, 291, 199, 10, 152, 234, 454] as const;

type Mesh = ArrayLike<ArrayLike<number>>;

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
}

function eyeAspect(mesh: Mesh, idx: readonly number[]): number {
  const p = idx.map((i) => mesh[i]!);
  const width = dist(p[0]!, p[1]!);
  if (!(width > 0)) return 0;
  return (dist(p[2]!, p[3]!) + dist(p[4]!, p[5]!)) / (2 * width);
}

/** Mean eye aspect ratio of both eyes (open eyes ~0.25-0.35, closed < 0.15); 0 without a full mesh. */
export function eyeOpenness(mesh: Mesh): number {
  if (mesh.length < 468) return 0;
  return (eyeAspect(mesh, RIGHT_EYE) + eyeAspect(mesh, LEFT_EYE)) / 2;
}

/** KEYPOINT_INDICES as a flat [x, y, z, x, y, z, …] list; empty without a full mesh. */
export function keypointsOf(mesh: Mesh): number[] {
  if (mesh.length < 468) return [];
  const out: number[] = [];
  for (const i of KEYPOINT_INDICES) {
    const p = mesh[i]!;
    out.push(p[0] ?? 0, p[1] ?? 0, p[2] ?? 0);
  }
  return out;
}

/** The tight face box the mesh spans, [x, y, w, h]: what a face detector's box is. */
export function meshBox(mesh: Mesh): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < mesh.length; i++) {
    const p = mesh[i]!;
    x0 = Math.min(x0, p[0]!);
    y0 = Math.min(y0, p[1]!);
    x1 = Math.max(x1, p[0]!);
    y1 = Math.max(y1, p[1]!);
  }
  return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : [0, 0, 0, 0];
}
