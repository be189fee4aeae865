export {
  startBridge,
  MAX_FRAME_BODY,
  MAX_JSON_BODY,
  type Bridge,
  type BridgeKiosk,
  type BridgeOptions,
} from './bridge.js';
export { contentSecurityPolicy, securityHeaders } from './csp.js';
export { assertRendererBuilt, defaultStaticDir } from './static-dir.js';
