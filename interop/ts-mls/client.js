#!/usr/bin/env node
// mlsmig client-protocol adapter for ts-mls (docs/client-protocol.md).
//
//   node interop/ts-mls/client.js [--verbose]
//
// Only node's own modules are imported here, so that the checks below run
// before ts-mls loads: Node.js 18 (Debian 12) has WebCrypto but not as the
// global `crypto` that ts-mls uses.
import { webcrypto } from "node:crypto";

const [major] = process.versions.node.split(".").map(Number);
if (major < 18) {
  process.stderr.write(`ts-mls client: Node.js >= 18 needed, this is ${process.version}\n`);
  process.exit(1);
}
if (globalThis.crypto === undefined) globalThis.crypto = webcrypto;

await import("./src/main.js");
