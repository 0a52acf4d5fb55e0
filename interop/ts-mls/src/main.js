// The adapter's loop (client.js starts it): reads request frames on stdin,
// answers each with exactly one reply frame on stdout, logs to stderr,
// exits at end of input or after shutdown.
import { readFileSync } from "node:fs";

import { ClientError, ERR, Members } from "./members.js";
import { F, MAX_FRAME, T, VERSION, decodeRequest, encodeReply } from "./protocol.js";
import { installedSuites } from "./suites.js";
import { ProtocolError, utf8 } from "./wire.js";

const verbose = process.argv.includes("--verbose");
const log = (...a) => process.stderr.write(`ts-mls client: ${a.join(" ")}\n`);

const tsmlsVersion = JSON.parse(readFileSync(new URL("../node_modules/ts-mls/package.json", import.meta.url))).version;
const members = new Members();
const typeName = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k]));

async function handle(req) {
  const m = members;
  switch (req.type) {
    case T.hello:
      if (req.version !== VERSION) throw new ClientError(ERR.unsupported, `protocol version ${req.version} (this client speaks ${VERSION})`);
      return [
        T.pics,
        {
          version: VERSION,
          implementation: utf8(`ts-mls ${tsmlsVersion} (node ${process.version})`),
          suites: installedSuites(),
          features: F.deterministic | F.new_signature_key | F.external_join | F.by_reference,
        },
      ];
    case T.configure:
      if (req.seed.length > 255) throw new ClientError(ERR.bad_input, "seed longer than 255 bytes");
      m.configure(req.seed.slice(), req.flags);
      return [T.ok];
    case T.create_key_package:
      return [T.key_package, await m.createKeyPackage(req.cipherSuite, req.identity)];
    case T.create_group:
      return [T.state, await m.createGroup(req.groupId, req.cipherSuite, req.identity)];
    case T.join_group:
      return [T.state, await m.joinGroup(req.transactionId, req.welcome, req.ratchetTree)];
    case T.external_join:
      return [T.external_joined, await m.externalJoin(req.groupInfo, req.ratchetTree, req.identity, req.authenticatedData, req.removePrior)];
    case T.group_info:
      return [T.public_group_state, await m.groupInfo(req.stateId, req.ratchetTreeExtension)];
    case T.state_auth:
      return [T.state, m.stateReply(req.stateId)];
    case T.protect:
      return [T.message, { message: await m.protect(req.stateId, req.authenticatedData, req.plaintext) }];
    case T.unprotect:
      return [T.unprotected, await m.unprotect(req.stateId, req.message)];
    case T.add_proposal:
      return [T.message, { message: await m.addProposal(req.stateId, req.framing, req.keyPackage) }];
    case T.update_proposal:
      return [T.message, { message: await m.updateProposal(req.stateId, req.framing, req.newSignatureKey) }];
    case T.remove_proposal:
      return [T.message, { message: await m.removeProposal(req.stateId, req.framing, req.removedLeaf) }];
    case T.commit:
      return [
        T.commit_bundle,
        await m.commit(req.stateId, req.framing, req.authenticatedData, req.byReference, req.byValue, req.ratchetTreeExtension),
      ];
    case T.handle_commit:
      return [T.state, await m.handleCommit(req.stateId, req.proposals, req.commit)];
    case T.handle_pending_commit:
      return [T.state, await m.handlePendingCommit(req.stateId)];
    case T.member_info:
      return [T.member, m.memberInfo(req.stateId)];
    case T.sign_with_label:
      return [T.signature, await m.signWithLabel(req.stateId, req.label, req.content)];
    case T.free:
      m.free(req.id);
      return [T.ok];
    case T.shutdown:
      return [T.ok];
  }
  throw new ClientError(ERR.unsupported, `request type ${req.type}`);
}

function write(frame) {
  return new Promise((resolve, reject) => process.stdout.write(frame, (e) => (e ? reject(e) : resolve())));
}

// One request: decode, run, answer (an error reply on any failure; a
// failure to decode keeps the stream in sync, the frame length says where
// the next request starts).
async function serve(body) {
  let req, reply;
  try {
    req = decodeRequest(body);
    members.beginRequest();
    const t0 = verbose ? process.hrtime.bigint() : 0n;
    reply = await handle(req);
    if (verbose) log(`${typeName[req.type]} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`);
  } catch (e) {
    const ce =
      e instanceof ClientError
        ? e
        : e instanceof ProtocolError
          ? new ClientError(ERR.bad_input, `request does not decode: ${e.message}`)
          : new ClientError(ERR.internal, `${e?.stack ?? e}`);
    if (ce.code === ERR.internal || verbose) log(`error ${ce.code}: ${ce.message}`);
    reply = [T.error, { code: ce.code, reason: utf8(ce.message.slice(0, 4096)) }];
  }
  await write(encodeReply(reply[0], reply[1]));
  return req?.type !== T.shutdown;
}

async function main() {
  let buf = Buffer.alloc(0);
  for await (const chunk of process.stdin) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (n > MAX_FRAME) {
        log(`request frame claims ${n} bytes (limit ${MAX_FRAME}): giving up`);
        await write(encodeReply(T.error, { code: ERR.bad_input, reason: utf8("request frame too large") }));
        process.exit(1);
      }
      if (buf.length < 4 + n) break;
      const body = new Uint8Array(buf.subarray(4, 4 + n));
      buf = buf.subarray(4 + n);
      if (!(await serve(body))) process.exit(0);
    }
  }
  if (buf.length) log(`end of input inside a frame (${buf.length} bytes)`);
  process.exit(0);
}

main().catch((e) => {
  log(`fatal: ${e?.stack ?? e}`);
  process.exit(1);
});
