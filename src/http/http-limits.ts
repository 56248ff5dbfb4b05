/**
 * Limits every furikae HTTP server (the bank, both wallets, the bench's bank) runs with, so that no client, slow or
 * malicious, can hold a connection, a parser buffer or a request slot for long. Node answers the header and request
 * timeouts with 408 and oversized headers with 431, through the server's clientError handler (problem+json here).
 */

/**
 * The whole request, headers and body, must arrive within this. Bodies are at most 16 KiB (the eKYC upload a few
 * MiB), which a slow mobile link sends in a few seconds; a client that trickles a body or sends less than its
 * Content-Length is answered 408 and cut off instead of holding the connection forever.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The request line and headers must arrive within this: they are a few kilobytes, so only a slowloris takes longer. */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * How often Node checks connections against the two timeouts above. Its default (30 s) would let a slow client
 * live up to 30 s past its limit; a check a second costs one walk over the open connections.
 */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/**
 * An idle keep-alive connection is closed after this. Long enough for a client's next request in a burst (an
 * operator's server charging, a browser loading a page), short enough that idle sockets do not pile up. Behind a
 * load balancer, set the balancer's idle timeout below this one, so it never reuses a socket the bank is closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * A socket with no traffic at all for this long is destroyed: a last resort behind the timeouts above, for a
 * request whose handler waits on something that never answers. Every handler's own waits (database statement
 * timeout, the wallet's calls to the bank) are far shorter.
 */
export const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/**
 * Open connections one server accepts; past it, new ones are closed at once. Each holds a socket, a parser and up
 * to HEADER_BYTES_MAX of headers. 900 is over ten times what the bench needs to saturate the charge path (64), and
 * keeps the process under the common 1,024 file-descriptor limit with room for its database pool and logs, so it
 * refuses clients before it runs out of descriptors.
 */
export const CONNECTIONS_MAX = 900;

/**
 * Largest request line plus headers (Node's default, stated here): a DPoP proof, an access token and the session
 * cookies fit in a few kilobytes. Past it, 431 `headers_too_large`.
 */
export const HEADER_BYTES_MAX = 16 * 1024;

/**
 * Longest URL (path and query) a route is looked up for. The longest real ones, the FAPI redirect back to a wallet
 * with its code, state and issuer, are under 1 KiB. Past it, 414 `uri_too_long`; a URL so long that the request line
 * passes HEADER_BYTES_MAX is 431 instead.
 */
export const URL_CHARS_MAX = 4096;

/** Longest path parameter (an id is 36 characters; an authorization interaction's uid 21). Past it, 414 as Fastify does. */
export const PATH_PARAM_CHARS_MAX = 100;

/** The timeouts and the connection limit one server runs with. */
export interface ServerLimits {
  request_timeout_ms: number;
  headers_timeout_ms: number;
  connections_checking_interval_ms: number;
  keep_alive_timeout_ms: number;
  socket_idle_timeout_ms: number;
  connections_max: number;
}

/** What every furikae server runs with; tests shorten the timeouts to watch them fire. */
export const SERVER_LIMITS: Readonly<ServerLimits> = {
  request_timeout_ms: REQUEST_TIMEOUT_MS,
  headers_timeout_ms: HEADERS_TIMEOUT_MS,
  connections_checking_interval_ms: CONNECTIONS_CHECKING_INTERVAL_MS,
  keep_alive_timeout_ms: KEEP_ALIVE_TIMEOUT_MS,
  socket_idle_timeout_ms: SOCKET_IDLE_TIMEOUT_MS,
  connections_max: CONNECTIONS_MAX,
};
