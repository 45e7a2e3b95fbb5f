#!/usr/bin/env python3
"""Fake library API and Basic-auth registry for bench/msbuild-incremental.sh; counts every TCP connection.

    fake-servers.py COUNT_FILE LIBRARY_PORT REGISTRY_PORT   (LIBRARY_TOKEN, REGISTRY_USER, REGISTRY_PASSWORD in the environment)

COUNT_FILE holds one line "library=N registry=M", rewritten after every accepted connection.
"""
import base64, json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

count_file, library_port, registry_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
token = os.environ["LIBRARY_TOKEN"]
basic = "Basic " + base64.b64encode(f"{os.environ['REGISTRY_USER']}:{os.environ['REGISTRY_PASSWORD']}".encode()).decode()
counts = {"library": 0, "registry": 0}
lock = threading.Lock()


def counted(name):
    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            request = super().get_request()
            with lock:
                counts[name] += 1
                with open(count_file + ".tmp", "w") as f:
                    f.write(f"library={counts['library']} registry={counts['registry']}\n")
                os.replace(count_file + ".tmp", count_file)
            return request
    return Server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class Library(Handler):
    def do_GET(self):
        base = f"http://{self.headers['Host']}"
        bearer = self.headers.get("Authorization") == f"Bearer {token}"
        path = self.path.split("?")[0]
        if path == "/assets/config/config.prod.json":
            self.reply(200, {"libraryAPI": {"uri": base, "registryUri": base + "/registry"}, "keystoreAPI": {"uri": base + "/keystore"},
                             "builderAPI": {"uri": base + "/builder", "managerUri": base + "/builder"}, "consentAPI": {"uri": base + "/consent"},
                             "tokenAPI": {"uri": base + "/token"}})
        elif path.endswith("/version"):
            self.reply(200, {"data": {"version": "v1.0.0-fake", "apiVersion": "2.0.0"}})
        elif path == "/token/v1/token-status":
            self.reply(200, {"data": {"status": "valid"}}) if bearer else self.reply(404, {"error": {"code": 404, "message": "Invalid Credentials"}})
        elif path == "/v1/rbac/users/current":
            self.reply(200, {"username": "bench", "email": "bench@example", "oidc_user_meta": {"secret": "s"}}) if bearer else self.reply(401, {"error": {"code": 401, "message": "Unauthorized"}})
        else:
            self.reply(404, {})


class Registry(Handler):
    def do_GET(self):
        if self.headers.get("Authorization") == basic:
            self.reply(200, {}, [("Docker-Distribution-API-Version", "registry/2.0")])
        else:
            self.reply(401, {"errors": [{"code": "UNAUTHORIZED"}]}, [("WWW-Authenticate", 'Basic realm="bench"'), ("Docker-Distribution-API-Version", "registry/2.0")])


with open(count_file, "w") as f:
    f.write("library=0 registry=0\n")
servers = [counted("library")(("127.0.0.1", library_port), Library), counted("registry")(("127.0.0.1", registry_port), Registry)]
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()
