// Finding 1 (security review): a camera spec from the admin Settings field or the command line
// reached fswebcam through a shell. Specs are now a closed set, and fswebcam runs from an
// argument array, so even a device string that slipped through could not run a command.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCameraSpec, CameraSpecError } from './spec.js';
import { captureWithFswebcam, fswebcamArgs } from './webcam.js';
import { SettingsPatch } from '../../contracts/kiosk-api.js';

const HOSTILE = [
  'webcam:/dev/video0;touch /tmp/x;#',
  'webcam:/dev/video0 && id',
  'webcam:$(id)',
  'webcam:`id`',
  'webcam:/dev/video0|id',
  'webcam:/dev/sda',
  'webcam:/dev/video',
  'webcam:/dev/video0/../../etc/passwd',
  'webcam:/dev/v4l/by-id/usb-cam;id',
  'webcam:/dev/v4l/by-id/../../sda',
  'webcam:video0',
  'webcam:/dev/video0?width=640&extra=1',
  'replay:/tmp/frames\nid',
  'push:x',
];

describe('camera spec is a closed set', () => {
  it.each(HOSTILE)('refuses %j', (spec) => {
    expect(() => parseCameraSpec(spec)).toThrow(CameraSpecError);
  });

  it('accepts /dev/videoN, the v4l2 by-id/by-path names, replay, push, none and the default camera', () => {
    expect(parseCameraSpec('webcam:/dev/video12')).toMatchObject({
      kind: 'webcam',
      options: { device: '/dev/video12' },
    });
    expect(
      parseCameraSpec('webcam:/dev/v4l/by-id/usb-Logitech_HD_Webcam_C270_8A2E-video-index0'),
    ).toMatchObject({ kind: 'webcam' });
    expect(
      parseCameraSpec('webcam:/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0'),
    ).toMatchObject({ kind: 'webcam' });
    expect(parseCameraSpec('webcam:default')).toMatchObject({ kind: 'webcam', options: { device: null } });
    expect(parseCameraSpec('replay:./frames/door?fps=5')).toMatchObject({ kind: 'replay' });
    expect(parseCameraSpec('none')).toEqual({ kind: 'none' });
  });

  it('the settings contract refuses a hostile spec before it reaches the store', () => {
    const r = SettingsPatch.safeParse({ cameraSpec: 'webcam:/dev/video0;touch /tmp/x;#' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/camera/i);
    expect(SettingsPatch.safeParse({ cameraSpec: 'webcam:/dev/video1' }).success).toBe(true);
  });
});

describe('fswebcam runs without a shell', () => {
  it('passes the device as one argument', () => {
    const args = fswebcamArgs({ device: '/dev/video0', width: 320, height: 240, interval: 0 });
    expect(args).toContain('/dev/video0');
    expect(args[args.indexOf('-d') + 1]).toBe('/dev/video0');
    expect(args.at(-1)).toBe('-');
  });

  it.runIf(process.platform !== 'win32')(
    'a device string with shell syntax reaches a fake fswebcam verbatim and runs nothing',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fswebcam-'));
      const marker = join(dir, 'pwned');
      const argsFile = join(dir, 'args');
      const bin = join(dir, 'fswebcam');
      // A fake fswebcam: records its arguments, prints a tiny "JPEG" on stdout.
      writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nprintf 'JPEG'\n`);
      chmodSync(bin, 0o755);
      const device = `/dev/video0;touch ${marker};#`;
      const frame = await captureWithFswebcam({ device, width: 640, height: 480, interval: 0 }, bin);
      expect(Buffer.from(frame).toString()).toBe('JPEG');
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(argsFile, 'utf8').split('\n')).toContain(device);
    },
  );
});
