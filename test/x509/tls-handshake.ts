// A real mutual-TLS handshake over loopback with Node's TLS (OpenSSL): the server presents its chain and checks the
// client's against the trust bundle, the client checks the server's chain and its name. Either side's verdict is the result.
import * as tls from 'tls';
import { Minted } from './openssl-ca';

/** The outcome of one handshake: `ok`, or the first error either side reported. */
export interface HandshakeResult {
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Handshakes `client` with `server` over 127.0.0.1, both trusting exactly `trust` (the PEM certificates of a trust
 * bundle), the client asking for `servername`. Resolves, never rejects.
 */
export function mtls(server: Minted, client: Minted, trust: readonly string[], servername: string): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      listener.close();
      resolve(result);
    };
    const listener = tls.createServer({
      key: server.keyPem,
      cert: server.chainPem,
      ca: [...trust],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    }, (socket) => {
      socket.end('ok');
    });
    listener.on('tlsClientError', (err) => done({ ok: false, error: `server rejected the client: ${err.message}` }));
    listener.listen(0, '127.0.0.1', () => {
      const port = (listener.address() as { port: number }).port;
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername,
        key: client.keyPem,
        cert: client.chainPem,
        ca: [...trust],
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      });
      socket.on('data', () => {
        socket.end();
        done({ ok: true });
      });
      socket.on('error', (err) => done({ ok: false, error: `client: ${err.message}` }));
      socket.setTimeout(5000, () => done({ ok: false, error: 'timeout' }));
    });
  });
}
