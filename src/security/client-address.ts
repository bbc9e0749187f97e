/**
 * The address a request came from, as the server saw the connection. A request handled in
 * process (the dashboard forwarding a write to the management API) has no server: it carries its
 * caller's address in FORWARDED_ADDRESS_HEADER, which is read only then — a request from the
 * network always has a server, so the header cannot be spoofed from outside.
 */
export interface AddressedServer {
  requestIP(request: Request): { address: string } | null;
}

export const FORWARDED_ADDRESS_HEADER = "x-switchyard-forwarded-address";

/** undefined when it cannot tell. */
export function clientAddress(server: AddressedServer | null, request: Request): string | undefined {
  if (server) return server.requestIP(request)?.address;
  return request.headers.get(FORWARDED_ADDRESS_HEADER) ?? undefined;
}
