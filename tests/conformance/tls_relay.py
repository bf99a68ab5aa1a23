"""A cleartext-to-TLS relay, so the conformance cases run unchanged through a TLS connection.

Python 3 standard library (ssl) plus the `openssl` command, which makes a throwaway certificate
at test time (nothing committed that anything trusts). Each connection a case opens to the relay
becomes a TLS connection to forkhorn; bytes are pumped both ways. The case's half-close (EOF) is
passed on as a TCP half-close under TLS (no close_notify: the server's suppress_ragged_eofs takes
it as the end of the stream, as a cleartext FIN is), and the server's close ends the case's
connection.
"""
import os
import select
import socket
import ssl
import subprocess
import threading


def make_certificate(directory):
    """Writes cert.pem and key.pem for 127.0.0.1/localhost into `directory`; returns both paths."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class Relay:
    """Listens on 127.0.0.1 (an OS-chosen port, `port`) and relays to the TLS server `target`."""

    def __init__(self, target, cafile):
        self.target = target
        self.context = ssl.create_default_context(cafile=cafile)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            raw = socket.create_connection(self.target, timeout=30)
            server = self.context.wrap_socket(raw, server_hostname="localhost")
        except (OSError, ssl.SSLError):
            client.close()
            return
        try:
            self._pump(client, server)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()
            server.close()

    @staticmethod
    def _pump(client, server):
        """Both directions in one thread: an SSL object must not be used by two at once."""
        client.setblocking(False)
        server.setblocking(False)
        to_server, to_client = b"", b""
        client_done = server_done = half_closed = False
        while not (server_done and not to_client):
            readers = ([] if client_done else [client]) + ([] if server_done else [server])
            writers = ([server] if to_server else []) + ([client] if to_client else [])
            if not server.pending():
                readable, writable, _ = select.select(readers, writers, [], 30)
                if not readable and not writable:
                    return  # nothing moved for 30 s: the case has given up
            else:
                readable, writable = [server], []
            if client in readable:
                data = client.recv(65536)
                to_server += data
                client_done = not data
            if server in readable or server.pending():
                try:
                    data = server.recv(65536)
                    to_client += data
                    server_done = not data
                except ssl.SSLWantReadError:
                    pass
                except (ssl.SSLError, OSError):
                    server_done = True
            if to_server and server in writable:
                try:
                    to_server = to_server[server.send(to_server):]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    pass
            if to_client and client in writable:
                to_client = to_client[client.send(to_client):]
            if client_done and not to_server and not half_closed:
                # The case's EOF: a TCP half-close beneath TLS, through a second handle on the
                # socket (SSLSocket.shutdown would drop its TLS state, and the server's answer).
                with socket.socket(fileno=os.dup(server.fileno())) as twin:
                    twin.shutdown(socket.SHUT_WR)
                half_closed = True
