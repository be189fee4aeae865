// How a kiosk names itself to the admin reading its Sync tab: by the names the server knows it
// and its room by (an admin may rename either in the console), ids only when the server is too
// old to send names. Shared by the sync client's history lines and the Sync tab.

export interface KioskIdentity {
  deviceId: string;
  roomId: string;
  timezone: string | null;
  /** The device's name on the server; absent or null from a server too old to send it. */
  name?: string | null | undefined;
  roomName?: string | null | undefined;
}

/** "“Front door”, room 101, Europe/London" (ids from an older server: "d-1, room r-1, UTC"). */
export function describeKiosk(k: KioskIdentity): string {
  const kiosk = k.name ? `“${k.name}”` : k.deviceId;
  const room = k.roomName ?? k.roomId;
  // "Room 101" reads as it is; "101" or "Library" gets the word.
  const inRoom = /^room\b/i.test(room) ? room : `room ${room}`;
  const tz = k.timezone ? `, ${k.timezone}` : '';
  return `${kiosk}, ${inRoom}${tz}`;
}
