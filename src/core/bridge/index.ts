export {
  startBridge,
  MAX_FRAME_BODY,
  MAX_JSON_BODY,
  type Bridge,
  type BridgeKiosk,
  type BridgeOptions,
} from './bridge';
export { contentSecurityPolicy, securityHeaders } from './csp';
export { assertRendererBuilt, defaultStaticDir } from './static-dir';
