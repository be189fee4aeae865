// Minimal typing of the parts of node-webcam (CommonJS, untyped) that the webcam source uses.
declare module 'node-webcam' {
  interface WebcamOptions {
    width?: number;
    height?: number;
    quality?: number;
    frames?: number;
    delay?: number;
    saveShots?: boolean;
    output?: 'jpeg' | 'png' | 'bmp';
    device?: string | false;
    callbackReturn?: 'location' | 'buffer' | 'base64';
    verbose?: boolean;
  }
  interface Webcam {
    capture(location: string, cb: (err: Error | string | null, data: unknown) => void): void;
  }
  const NodeWebcam: { create(opts: WebcamOptions): Webcam };
  export default NodeWebcam;
}
