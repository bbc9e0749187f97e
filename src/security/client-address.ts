/** The address a request came from, as the server saw the connection; undefined when it cannot tell. */
export interface AddressedServer {
  requestIP(request: Request): { address: string } | null;
}

export function clientAddress(server: AddressedServer | null, request: Request): string | undefined {
  return server?.requestIP(request)?.address;
}
