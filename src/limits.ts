/**
 * The gateway's tunable limits, kept in settings under one key and read on every request from
 * memory: upstream timeouts and the client body size limit.
 */
import { DEFAULT_TIMEOUTS, type Timeouts } from "./providers/upstream.ts";

export interface GatewayLimits {
  timeouts: Timeouts;
  maxBodyBytes: number;
}

export const GATEWAY_LIMITS_KEY = "gateway";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  timeouts: DEFAULT_TIMEOUTS,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
};

export function readGatewayLimits(settings: { get<T>(key: string): T | undefined }): GatewayLimits {
  const saved = settings.get<Partial<GatewayLimits>>(GATEWAY_LIMITS_KEY);
  if (saved === undefined) return DEFAULT_GATEWAY_LIMITS;
  return {
    timeouts: { ...DEFAULT_TIMEOUTS, ...saved.timeouts },
    maxBodyBytes: saved.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
}
