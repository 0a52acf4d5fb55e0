// The client protocol's messages (docs/client-protocol.md, version 1):
// requests decoded strictly, replies encoded, one function per message.
import { ProtocolError, Reader, Writer } from "./wire.js";

export const VERSION = 1;
export const MAX_FRAME = 64 * 1024 * 1024;

export const T = {
  hello: 1,
  configure: 2,
  create_key_package: 3,
  create_group: 4,
  join_group: 5,
  external_join: 6,
  group_info: 7,
  state_auth: 8,
  protect: 9,
  unprotect: 10,
  add_proposal: 11,
  update_proposal: 12,
  remove_proposal: 13,
  commit: 14,
  handle_commit: 15,
  handle_pending_commit: 16,
  member_info: 17,
  sign_with_label: 18,
  free: 19,
  shutdown: 20,
  pics: 129,
  ok: 130,
  key_package: 131,
  state: 132,
  external_joined: 133,
  public_group_state: 134,
  message: 135,
  unprotected: 136,
  commit_bundle: 137,
  member: 138,
  signature: 139,
  error: 255,
};

// Pics.features
export const F = { deterministic: 1, new_signature_key: 2, external_join: 4, by_reference: 8 };

const proposalMessage = (r) => r.vec();

function proposalDescription(r) {
  const type = r.u16();
  if (type === 1) return { type, keyPackage: r.vec() };
  if (type === 3) return { type, removed: r.u32() };
  throw new ProtocolError(`proposal type ${type} is not a ProposalDescription`);
}

// Fields of each request, in order.
const REQUESTS = {
  [T.hello]: (r) => ({ version: r.u16() }),
  [T.configure]: (r) => ({ seed: r.vec(), flags: r.u32() }),
  [T.create_key_package]: (r) => ({ cipherSuite: r.u16(), identity: r.vec() }),
  [T.create_group]: (r) => ({ groupId: r.vec(), cipherSuite: r.u16(), identity: r.vec() }),
  [T.join_group]: (r) => ({ transactionId: r.u32(), welcome: r.vec(), ratchetTree: r.vec() }),
  [T.external_join]: (r) => ({
    groupInfo: r.vec(),
    ratchetTree: r.vec(),
    identity: r.vec(),
    authenticatedData: r.vec(),
    removePrior: r.bool(),
  }),
  [T.group_info]: (r) => ({ stateId: r.u32(), ratchetTreeExtension: r.bool() }),
  [T.state_auth]: (r) => ({ stateId: r.u32() }),
  [T.protect]: (r) => ({ stateId: r.u32(), authenticatedData: r.vec(), plaintext: r.vec() }),
  [T.unprotect]: (r) => ({ stateId: r.u32(), message: r.vec() }),
  [T.add_proposal]: (r) => ({ stateId: r.u32(), framing: r.u16(), keyPackage: r.vec() }),
  [T.update_proposal]: (r) => ({ stateId: r.u32(), framing: r.u16(), newSignatureKey: r.bool() }),
  [T.remove_proposal]: (r) => ({ stateId: r.u32(), framing: r.u16(), removedLeaf: r.u32() }),
  [T.commit]: (r) => ({
    stateId: r.u32(),
    framing: r.u16(),
    authenticatedData: r.vec(),
    byReference: r.list(proposalMessage),
    byValue: r.list(proposalDescription),
    ratchetTreeExtension: r.bool(),
  }),
  [T.handle_commit]: (r) => ({ stateId: r.u32(), proposals: r.list(proposalMessage), commit: r.vec() }),
  [T.handle_pending_commit]: (r) => ({ stateId: r.u32() }),
  [T.member_info]: (r) => ({ stateId: r.u32() }),
  [T.sign_with_label]: (r) => ({ stateId: r.u32(), label: r.vec(), content: r.vec() }),
  [T.free]: (r) => ({ id: r.u32() }),
  [T.shutdown]: () => ({}),
};

// Decodes one frame body into { type, ...fields }; ProtocolError if it is
// not exactly one request.
export function decodeRequest(body) {
  const r = new Reader(body);
  const type = r.u8();
  const f = REQUESTS[type];
  if (!f) throw new ProtocolError(`unknown request type ${type}`);
  const m = { type, ...f(r) };
  r.end();
  return m;
}

function state(w, s) {
  return w.u32(s.stateId).u8(s.removed ? 1 : 0).u64(s.epoch).vec(s.epochAuthenticator);
}

function parts(w, p) {
  return w.vec(p.commit).vec(p.welcome).vec(p.groupInfo).vec(p.ratchetTree);
}

const REPLIES = {
  [T.pics]: (w, m) => w.u16(m.version).vec(m.implementation).list(m.suites, (l, s) => l.u16(s)).u32(m.features),
  [T.ok]: (w) => w,
  [T.key_package]: (w, m) =>
    w.u32(m.transactionId).vec(m.keyPackage).vec(m.initPriv).vec(m.encryptionPriv).vec(m.signaturePriv),
  [T.state]: state,
  [T.external_joined]: (w, m) => parts(state(w, m), m.parts),
  [T.public_group_state]: (w, m) => w.vec(m.groupInfo).vec(m.ratchetTree),
  [T.message]: (w, m) => w.vec(m.message),
  [T.unprotected]: (w, m) => w.vec(m.authenticatedData).vec(m.plaintext),
  [T.commit_bundle]: (w, m) => parts(w, m.parts).u64(m.epoch).vec(m.epochAuthenticator),
  [T.member]: (w, m) =>
    w
      .vec(m.groupId)
      .u16(m.cipherSuite)
      .u64(m.epoch)
      .u32(m.leafIndex)
      .vec(m.identity)
      .vec(m.signaturePublicKey)
      .u8(m.removed ? 1 : 0)
      .u8(m.pendingCommit ? 1 : 0),
  [T.signature]: (w, m) => w.vec(m.signature).vec(m.signaturePublicKey),
  [T.error]: (w, m) => w.u8(m.code).vec(m.reason),
};

// A whole frame: 4-byte big-endian length, then the reply.
export function encodeReply(type, m = {}) {
  const body = REPLIES[type](new Writer().u8(type), m).finish();
  if (body.length > MAX_FRAME) throw new ProtocolError(`reply of ${body.length} bytes exceeds the frame limit`);
  return new Writer().u32(body.length).bytes(body).finish();
}
