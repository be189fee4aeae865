// Kiosks: each door's room, version, last contact, marks waiting, camera/engine state, face
// model (as the kiosk reports it), a flag when one has been silent in school hours past the
// admin's threshold (the server decides), a flag when one's clock is off from the server's (the
// kiosk measures it), a flag when one's camera is not working (the kiosk reports it with every
// sync); a pairing code shown large with a QR code, revoke, and admin-PIN recovery codes.
import { Fragment, useState } from 'react';
import type { z } from 'zod';
import type { Device, DeviceWithCode, PinRecoveryCodeIssued } from '../../../src/schemas/devices.js';
import { CreateDevice, RenameDevice } from '../../../src/schemas/devices.js';
import type { Room, Site } from '../../../src/schemas/people.js';
import { SettingsPatch, type Settings } from '../../../src/repositories/settings.js';
import { isThisComputerAddress, pairingQrText } from '../../../../src/contracts/pairing-qr.js';
import { clockIsOff, describeClockOffset } from '../../../../src/contracts/clock-offset.js';
import { cameraNotWorking } from '../../../../src/contracts/sync.js';
import { api, apiAll } from '../api.js';
import { useSubmit } from '../forms.js';
import { dateTimeIn } from '../format.js';
import { href } from '../router.js';
import { QrCode } from '../qr.js';
import { Confirm, Empty, Field, FormError, FormOk, Loaded, Page, useQuery } from '../ui.js';

type DeviceT = z.infer<typeof Device>;
type Paired = z.infer<typeof DeviceWithCode>;
type Recovery = z.infer<typeof PinRecoveryCodeIssued>;
type RoomT = z.infer<typeof Room>;
type SiteT = z.infer<typeof Site>;

const KIOSK_COLUMNS = [
  'Kiosk',
  'Room',
  'State',
  'Version',
  'Last seen (site time)',
  'Marks waiting',
  'Camera / engine',
  'Face model',
] as const;

const STATE_LABEL: Record<DeviceT['state'], string> = {
  awaiting_pairing: 'Waiting to pair',
  pairing_expired: 'Pairing code expired',
  paired: 'Paired',
  revoked: 'Revoked',
};

/** What a kiosk's pairing screen reads from the QR code: this server and the code (contracts/pairing-qr). */
const qrTextOf = (code: string) => pairingQrText(window.location.origin, code);

function PairingCode({ device, tz, onClose }: { device: Paired; tz: string; onClose(): void }) {
  // The kiosk's pairing form asks for the server address as well as the code, and the QR code
  // carries the address this page was opened at: both are only as good as that address.
  const server = window.location.origin;
  return (
    <div className="card pairing" role="region" aria-labelledby="pairing-title" data-testid="pairing-panel">
      <h2 id="pairing-title">Pair “{device.name}”</h2>
      <p>
        On the kiosk’s pairing screen, type the server address and this code, or show it this QR code. The
        code works once, until {dateTimeIn(device.pairingExpiresAt, tz)}.
      </p>
      <p data-testid="pairing-server">
        Server address: <strong>{server}</strong>
      </p>
      {isThisComputerAddress(server) && (
        <p className="notice notice--warn" role="note" data-testid="pairing-server-local">
          This address only reaches the server from this computer. For a kiosk on another machine, open the
          console at the server’s network address (the server must listen on the network:{' '}
          <code>HOST=0.0.0.0</code>, or the proxy of docs/deployment.md) and show the kiosk the code from
          there.
        </p>
      )}
      <p
        className="pairing__code"
        data-testid="pairing-code"
        aria-label={`Pairing code ${device.pairingCode.split('').join(' ')}`}
      >
        {device.pairingCode}
      </p>
      <QrCode
        text={qrTextOf(device.pairingCode)}
        label={`QR code of the pairing code ${device.pairingCode}`}
      />
      <p>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </p>
    </div>
  );
}

function RecoveryCode({ code, tz, onClose }: { code: Recovery; tz: string; onClose(): void }) {
  return (
    <div className="card pairing" role="region" aria-labelledby="recovery-title" data-testid="recovery-panel">
      <h2 id="recovery-title">Admin-PIN recovery code</h2>
      <p>
        Shown once. The kiosk receives it at its next sync; type it on the kiosk’s PIN pad to set a new admin
        PIN. Valid until {dateTimeIn(code.expiresAt, tz)}; issuing another replaces it.
      </p>
      <p className="pairing__code">{code.code}</p>
      <button type="button" onClick={onClose}>
        Done
      </button>
    </div>
  );
}

/** The kiosk's camera in a few words, as its last sync reported it. */
const CAMERA_WORDS: Record<NonNullable<DeviceT['camera']>['status'], string> = {
  starting: 'camera starting',
  running: 'camera working',
  missing: 'no camera',
  error: 'camera not working',
  stopped: 'camera off',
};

/** A site's time zone (UTC for a site not in the list). */
const tzOf = (siteId: string, sites: readonly SiteT[]): string =>
  sites.find((s) => s.id === siteId)?.timezone ?? 'UTC';

/** A kiosk in use whose camera is missing or failing: its door takes no attendance. */
const cameraTrouble = (k: DeviceT): boolean => k.state === 'paired' && cameraNotWorking(k.camera?.status);

function health(d: DeviceT): string {
  const camera = d.camera ? CAMERA_WORDS[d.camera.status] : null;
  if (!d.health) return camera ?? 'not reported';
  const h = d.health;
  const parts = [
    camera,
    h.backend ? `engine ${h.backend}` : null,
    h.fps !== undefined ? `${h.fps.toFixed(1)} fps` : null,
    h.recognitionMsP50 !== undefined ? `${Math.round(h.recognitionMsP50)} ms/face` : null,
    h.droppedFrames ? `${h.droppedFrames} dropped` : null,
  ];
  return parts.filter(Boolean).join(', ') || 'reported';
}

/** A model id such as `faceres-aligned+mobileface/v1`, allowed to wrap after its `+` and `/` only. */
function ModelId({ id }: { id: string }) {
  const parts = id.split(/(?<=[+/])/);
  return (
    <code className="model-id">
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </code>
  );
}

/** The kiosks the server flags as silent in school hours, named, above the table. */
function SilentNotice({
  devices,
  sites,
  threshold,
}: {
  devices: DeviceT[];
  sites: SiteT[];
  threshold: number;
}) {
  const silent = devices.filter((k) => k.silence !== null);
  if (silent.length === 0) return null;
  const tz = (siteId: string) => tzOf(siteId, sites);
  return (
    <div className="card notice notice--warn" role="status" data-testid="silent-notice">
      <h2>{silent.length === 1 ? '1 kiosk is' : `${silent.length} kiosks are`} silent in school hours</h2>
      <p>
        Not heard from for {threshold} minutes or more of school hours. Admins were emailed once (when email
        is set up). Marks taken offline upload when the kiosk reconnects.
      </p>
      <ul>
        {silent.map((k) => (
          <li key={k.id}>
            <strong>{k.name}</strong>: silent for {k.silence?.minutes} min, last seen{' '}
            {k.lastSeenAt ? dateTimeIn(k.lastSeenAt, tz(k.siteId)) : 'never'} (site time)
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A paired kiosk's clock difference from the server's when large enough to matter, else null. */
const clockOff = (k: DeviceT): number | null =>
  k.state !== 'revoked' && clockIsOff(k.clockOffsetMs) ? k.clockOffsetMs : null;

/** The kiosks whose clocks are off, named, above the table: they mark by their own clock. */
function ClockNotice({ devices }: { devices: DeviceT[] }) {
  const off = devices.filter((k) => clockOff(k) !== null);
  if (off.length === 0) return null;
  return (
    <div className="card notice notice--warn" role="status" data-testid="clock-notice">
      <h2>
        {off.length === 1 ? "1 kiosk's clock is" : `${off.length} kiosks' clocks are`} off from the
        server&apos;s
      </h2>
      <p>
        A kiosk decides by its own clock which lesson is running and who is late, so its marks may go to the
        wrong lesson, and marks for a lesson that has not begun by the server&apos;s clock are refused. Set
        the kiosk computer&apos;s date, time and time zone, or turn on network time; the flag clears within a
        minute of its next sync.
      </p>
      <ul>
        {off.map((k) => (
          <li key={k.id}>
            <strong>{k.name}</strong>: {describeClockOffset(clockOff(k) ?? 0)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The kiosks whose cameras are not working, named above the table with the kiosk's own words. */
function CameraNotice({ devices, sites }: { devices: DeviceT[]; sites: SiteT[] }) {
  const broken = devices.filter(cameraTrouble);
  if (broken.length === 0) return null;
  const tz = (siteId: string) => tzOf(siteId, sites);
  return (
    <div className="card notice notice--warn" role="status" data-testid="camera-notice">
      <h2>
        {broken.length === 1 ? "1 kiosk's camera is" : `${broken.length} kiosks' cameras are`} not working
      </h2>
      <p>
        That door is not taking attendance: nobody is marked there until its camera works again (the kiosk
        keeps trying it by itself). Check the camera&apos;s cable, then the camera setting in the kiosk&apos;s
        admin area. The flag clears at the kiosk&apos;s next sync after its camera works.
      </p>
      <ul>
        {broken.map((k) => (
          <li key={k.id}>
            <strong>{k.name}</strong>
            {k.lastSeenAt ? ` (last sync ${dateTimeIn(k.lastSeenAt, tz(k.siteId))}, site time)` : ''}:{' '}
            {k.camera?.detail ?? CAMERA_WORDS[k.camera?.status ?? 'error']}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The admin setting behind the flag: minutes of silence in school hours before a kiosk is flagged. */
function SilentThreshold({ current, onSaved }: { current: number; onSaved(): void }) {
  const [minutes, setMinutes] = useState(String(current));
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      data-testid="silent-threshold-form"
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(
            SettingsPatch,
            { silentKioskMinutes: Number(minutes) },
            (v) => api<Settings>('PATCH', '/api/settings', { body: v }),
            'Saved.',
          )
          .then((r) => r && onSaved());
      }}
    >
      <h2>Silent-kiosk alert</h2>
      <p className="muted">
        A paired kiosk that has not contacted the server for this long during school hours (the site’s terms,
        holidays and timetable, in its time zone) is flagged here, and every admin gets one email per silence.
      </p>
      <FormError errors={f.errors} />
      <div className="form-grid">
        <Field label="Minutes (5 to 600)" error={f.errors.silentKioskMinutes}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={5}
              max={600}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              data-testid="silent-minutes"
            />
          )}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={f.busy} data-testid="silent-save">
        Save
      </button>
      <FormOk message={f.done} />
    </form>
  );
}

/**
 * The admin setting for template freshness (docs/recognition.md): off by default, because it
 * lets the doors add to students' face data on their own.
 */
function DoorTemplatesSetting({ current, onSaved }: { current: boolean; onSaved(): void }) {
  const [on, setOn] = useState(current);
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      data-testid="door-templates-form"
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(
            SettingsPatch,
            { doorTemplates: on },
            (v) => api<Settings>('PATCH', '/api/settings', { body: v }),
            'Saved.',
          )
          .then((r) => r && onSaved());
      }}
    >
      <h2>Keep face templates up to date</h2>
      <p className="muted">
        Children’s faces change over a school year. When this is on, a kiosk that recognises a student of the
        class in session with a very clear match (well above what marking needs, live face checked) may keep
        that face as an extra template, so the student is still recognised months later. Only the face’s
        numbers are kept, never a photo; at most one a day per student and two per student in all (a newer one
        replaces the older one; enrolment photos are never replaced). Every addition is in the audit log, and
        deleting a student deletes them too. Off until you turn it on.
      </p>
      <FormError errors={f.errors} />
      <label>
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => setOn(e.target.checked)}
          data-testid="door-templates-on"
        />{' '}
        Let kiosks add templates from clear door recognitions
      </label>
      <div>
        <button type="submit" className="primary" disabled={f.busy} data-testid="door-templates-save">
          Save
        </button>
      </div>
      <FormOk message={f.done} />
    </form>
  );
}

/**
 * Name a kiosk. The admin's name is kept when the kiosk pairs or pairs again; until an admin names
 * it, a kiosk is called what it reported when it paired (typed on the kiosk).
 */
function KioskRenameForm({ device, onDone, onClose }: { device: DeviceT; onDone(): void; onClose(): void }) {
  const [name, setName] = useState(device.name);
  const f = useSubmit();
  return (
    <form
      className="card"
      noValidate
      aria-labelledby="kiosk-rename-title"
      data-testid="kiosk-rename-form"
      onSubmit={(e) => {
        e.preventDefault();
        void f
          .run(RenameDevice, { name }, (v) => api('PATCH', `/api/devices/${device.id}`, { body: v }))
          .then((r) => r && onDone());
      }}
    >
      <h2 id="kiosk-rename-title">Rename the kiosk “{device.name}”</h2>
      <p className="muted">
        {device.nameByAdmin
          ? 'This name stays when the kiosk is paired again.'
          : 'This name was typed on the kiosk when it paired. A name you give here stays, whatever the kiosk calls itself.'}
      </p>
      <FormError errors={f.errors} />
      <div className="form-grid">
        <Field label="Name" error={f.errors.name}>
          {(p) => (
            <input
              {...p}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="kiosk-rename-name"
            />
          )}
        </Field>
      </div>
      <div className="inline-form__actions">
        <button type="submit" className="primary" disabled={f.busy} data-testid="kiosk-rename-save">
          Save name
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

export function Kiosks() {
  const q = useQuery(async () => {
    const [devices, rooms, sites, settings] = await Promise.all([
      apiAll<DeviceT>('/api/devices'),
      apiAll<RoomT>('/api/rooms'),
      apiAll<SiteT>('/api/sites'),
      api<Settings>('GET', '/api/settings'),
    ]);
    return { devices, rooms, sites, settings };
  }, []);
  const [roomId, setRoom] = useState('');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<Paired | null>(null);
  const [recovery, setRecovery] = useState<Recovery | null>(null);
  const [revoking, setRevoking] = useState<DeviceT | null>(null);
  const [renaming, setRenaming] = useState<DeviceT | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const f = useSubmit();
  const act = (p: Promise<unknown>) => {
    setActionError(null);
    p.then(q.reload, (err: unknown) => setActionError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <Page title="Kiosks" testId="kiosks">
      <Loaded q={q}>
        {(d) => (
          <>
            {shown && (
              <PairingCode device={shown} tz={tzOf(shown.siteId, d.sites)} onClose={() => setShown(null)} />
            )}
            {recovery && (
              <RecoveryCode
                code={recovery}
                tz={tzOf(d.devices.find((k) => k.id === recovery.deviceId)?.siteId ?? '', d.sites)}
                onClose={() => setRecovery(null)}
              />
            )}
            <SilentNotice devices={d.devices} sites={d.sites} threshold={d.settings.silentKioskMinutes} />
            <ClockNotice devices={d.devices} />
            <CameraNotice devices={d.devices} sites={d.sites} />
            {actionError && (
              <p className="form-error" role="alert">
                {actionError}
              </p>
            )}
            {d.devices.length === 0 ? (
              <Empty>
                {d.rooms.length === 0 ? (
                  <>
                    No kiosk yet. A kiosk belongs to a room, and there is no room yet: add one on{' '}
                    <a href={href('/places')}>Sites &amp; rooms</a>, then come back to add the kiosk and pair
                    it with the code.
                  </>
                ) : (
                  'No kiosk yet: add one for a room below, then pair it with the code.'
                )}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="kiosks-table">
                  <thead>
                    <tr>
                      {KIOSK_COLUMNS.map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.devices.map((k) => (
                      <Fragment key={k.id}>
                        <tr data-testid="kiosk-row" data-state={k.state} className="has-actions-row">
                          <th scope="row">{k.name}</th>
                          <td>{d.rooms.find((r) => r.id === k.roomId)?.name ?? k.roomId}</td>
                          <td>
                            {STATE_LABEL[k.state]}
                            {k.silence && (
                              <>
                                {' '}
                                <span className="status status--absent" data-testid="silent-flag">
                                  Silent {k.silence.minutes} min
                                </span>
                              </>
                            )}
                            {cameraTrouble(k) && (
                              <>
                                {' '}
                                <span className="status status--absent" data-testid="camera-flag">
                                  Camera not working
                                </span>
                              </>
                            )}
                            {clockOff(k) !== null && (
                              <>
                                {' '}
                                <span className="status status--late" data-testid="clock-flag">
                                  Clock {describeClockOffset(clockOff(k) ?? 0)}
                                </span>
                              </>
                            )}
                          </td>
                          <td>{k.appVersion ?? '–'}</td>
                          <td>
                            {k.lastSeenAt ? dateTimeIn(k.lastSeenAt, tzOf(k.siteId, d.sites)) : 'never'}
                          </td>
                          <td>{k.queueDepth ?? '–'}</td>
                          <td>{health(k)}</td>
                          <td data-testid="kiosk-model">
                            {k.modelId ? <ModelId id={k.modelId} /> : 'not reported'}
                          </td>
                        </tr>
                        {/* A kiosk's four actions on a line of their own under its row: as a
                          column they pushed the table past its card at 1280 px. */}
                        <tr className="actions-row" data-testid="kiosk-actions">
                          <td colSpan={KIOSK_COLUMNS.length}>
                            <div className="row-actions">
                              <button
                                type="button"
                                onClick={() => setRenaming(k)}
                                aria-label={`Rename ${k.name}`}
                                data-testid="kiosk-rename"
                              >
                                Rename
                              </button>
                              <button
                                type="button"
                                onClick={() =>
                                  act(api<Paired>('POST', `/api/devices/${k.id}/pairing-code`).then(setShown))
                                }
                                aria-label={`New code for ${k.name}`}
                              >
                                New code
                              </button>
                              {k.state === 'paired' && (
                                <button
                                  type="button"
                                  onClick={() =>
                                    act(
                                      api<Recovery>('POST', `/api/devices/${k.id}/pin-recovery`).then(
                                        setRecovery,
                                      ),
                                    )
                                  }
                                  aria-label={`PIN recovery for ${k.name}`}
                                >
                                  PIN recovery
                                </button>
                              )}
                              {k.state !== 'revoked' && (
                                <button
                                  type="button"
                                  className="danger"
                                  onClick={() => setRevoking(k)}
                                  aria-label={`Revoke ${k.name}`}
                                >
                                  Revoke
                                </button>
                              )}
                            </div>
                          </td>
                        </tr>
                      </Fragment>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {renaming && (
              <KioskRenameForm
                key={renaming.id}
                device={renaming}
                onDone={() => {
                  setRenaming(null);
                  q.reload();
                }}
                onClose={() => setRenaming(null)}
              />
            )}
            <form
              className="card"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void f
                  .run(CreateDevice, { roomId, ...(name ? { name } : {}) }, (v) =>
                    api<Paired>('POST', '/api/devices', { body: v }),
                  )
                  .then((r) => {
                    if (r) {
                      setShown(r);
                      setName('');
                      q.reload();
                    }
                  });
              }}
            >
              <h2>Add a kiosk</h2>
              <FormError errors={f.errors} />
              <div className="form-grid">
                <Field
                  label="Room"
                  error={f.errors.roomId}
                  hint={
                    d.rooms.length === 0 ? (
                      <>
                        No rooms yet: add one on <a href={href('/places')}>Sites &amp; rooms</a>.
                      </>
                    ) : undefined
                  }
                >
                  {(p) => (
                    <select
                      {...p}
                      value={roomId}
                      onChange={(e) => setRoom(e.target.value)}
                      data-testid="kiosk-room"
                    >
                      <option value="">Choose a room</option>
                      {d.rooms.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field
                  label="Name (optional)"
                  error={f.errors.name}
                  hint="Kept when the kiosk pairs. Left empty, the kiosk is called what it is named on its own screen."
                >
                  {(p) => (
                    <input
                      {...p}
                      value={name}
                      onChange={(e) => setName(e.target.value)}
                      data-testid="kiosk-name"
                    />
                  )}
                </Field>
              </div>
              <button type="submit" className="primary" disabled={f.busy} data-testid="kiosk-create">
                Create pairing code
              </button>
            </form>
            <SilentThreshold current={d.settings.silentKioskMinutes} onSaved={q.reload} />
            <DoorTemplatesSetting current={d.settings.doorTemplates} onSaved={q.reload} />
            {revoking && (
              <Confirm
                title={`Revoke ${revoking.name}?`}
                confirmLabel="Revoke kiosk"
                danger
                onCancel={() => setRevoking(null)}
                onConfirm={() => {
                  const k = revoking;
                  setRevoking(null);
                  act(api('POST', `/api/devices/${k.id}/revoke`));
                }}
              >
                <p>
                  Its next sync is refused: it stops receiving the roster and cannot upload marks it still
                  holds. Pair it again with a new code.
                </p>
              </Confirm>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}
