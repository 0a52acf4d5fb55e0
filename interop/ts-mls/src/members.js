// The members one client process plays (docs/client-protocol.md), over
// ts-mls. Every member state and every key package waiting for its Welcome
// has an id; a member's id stays the same from epoch to epoch.
import * as mls from "ts-mls";
import { signWithLabel } from "ts-mls/crypto/signature.js";
import { decodeGroupInfo, encodeGroupInfo } from "ts-mls/groupInfo.js";
import { encodeLeafNodeTBS } from "ts-mls/leafNode.js";
import { updateLeafKey } from "ts-mls/privateKeyPath.js";
import { decodeRatchetTree, encodeRatchetTree } from "ts-mls/ratchetTree.js";
import { leafToNodeIndex } from "ts-mls/treemath.js";

import { Randomness } from "./rng.js";
import { SUITE_IDS, SUITE_NAMES, makeSuite } from "./suites.js";

export const ERR = { unsupported: 1, unknown_id: 2, bad_input: 3, rejected: 4, wrong_state: 5, internal: 6 };

export class ClientError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new ClientError(code, message);
};

// RFC 9420 WireFormat values for the two framings of a handshake message.
export const FRAMING = { public_message: 1, private_message: 2 };
// RFC 9420 ProposalType values of ProposalDescription.
export const PROPOSAL = { add: 1, remove: 3 };

export const FLAG_GREASE = 1;

const hex = (b) => Buffer.from(b).toString("hex");
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// A ts-mls exception as a client-protocol error: the library refused the
// input (rejected) unless it says it was used wrongly or broke.
function asClientError(e) {
  if (e instanceof ClientError) return e;
  const kind = e?.constructor?.name ?? "Error";
  const code =
    kind === "UsageError" ? ERR.wrong_state : kind === "InternalError" || kind === "DependencyError" ? ERR.internal : ERR.rejected;
  return new ClientError(code, `${kind}: ${e?.message ?? e}`);
}

async function lib(f) {
  try {
    return await f();
  } catch (e) {
    throw asClientError(e);
  }
}

// Strict decoding of an RFC 9420 object the driver sent: all of it, nothing
// after it.
function decodeAll(decoder, bytes, what) {
  let r;
  try {
    r = decoder(bytes, 0);
  } catch (e) {
    r = undefined;
  }
  if (!r) fail(ERR.bad_input, `${what} does not decode`);
  if (r[1] !== bytes.length) fail(ERR.bad_input, `${what}: ${bytes.length - r[1]} trailing bytes`);
  return r[0];
}

function decodeMessage(bytes, wireformat, what) {
  const m = decodeAll(mls.decodeMlsMessage, bytes, what);
  if (m.version !== "mls10") fail(ERR.bad_input, `${what}: version ${m.version}`);
  if (wireformat && !wireformat.includes(m.wireformat)) fail(ERR.bad_input, `${what}: wire format ${m.wireformat}`);
  return m;
}

export class Members {
  constructor() {
    this.configure(new Uint8Array(), 0);
  }

  // Forgets every member and starts the randomness over (configure).
  configure(seed, flags) {
    this.rng = new Randomness(seed);
    this.flags = flags;
    this.suites = new Map();
    this.objects = new Map();
    this.nextId = 1;
  }

  get deterministic() {
    return this.rng.seeded;
  }

  beginRequest() {
    this.rng.nextRequest();
  }

  async suite(id) {
    if (!SUITE_NAMES[id]) fail(ERR.unsupported, `cipher suite ${id} is not supported`);
    if (!this.suites.has(id)) this.suites.set(id, await lib(() => makeSuite(id, this.rng)));
    return this.suites.get(id);
  }

  add(obj) {
    const id = this.nextId++;
    this.objects.set(id, obj);
    return id;
  }

  member(id) {
    const m = this.objects.get(id);
    if (!m || m.kind !== "member") fail(ERR.unknown_id, `no member state ${id}`);
    return m;
  }

  active(id) {
    const m = this.member(id);
    if (m.removed) fail(ERR.wrong_state, `member ${id} was removed from the group`);
    return m;
  }

  free(id) {
    if (!this.objects.delete(id)) fail(ERR.unknown_id, `no state or transaction ${id}`);
  }

  // RFC 9420 section 13.5: GREASE values in capabilities, drawn from the
  // request's randomness when the grease flag is set.
  capabilities() {
    const pick = () => {
      if (!(this.flags & FLAG_GREASE)) return [];
      const b = this.rng.bytes(15);
      return [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea].filter(
        (_, i) => b[i] < 26,
      );
    };
    return {
      versions: ["mls10"],
      ciphersuites: [...Object.values(SUITE_NAMES), ...pick().map(String)],
      extensions: pick(),
      proposals: pick(),
      credentials: ["basic", ...pick().map(String)],
    };
  }

  async keyPackage(suiteId, identity, signatureKey) {
    const cs = await this.suite(suiteId);
    const credential = { credentialType: "basic", identity: identity.slice() };
    return lib(async () => {
      const sig = signatureKey ?? (await cs.signature.keygen());
      return mls.generateKeyPackageWithKey(credential, this.capabilities(), mls.defaultLifetime, [], sig, cs);
    });
  }

  async createKeyPackage(suiteId, identity) {
    const kp = await this.keyPackage(suiteId, identity);
    const id = this.add({ kind: "key_package", suite: suiteId, ...kp });
    return {
      transactionId: id,
      keyPackage: mls.encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: kp.publicPackage }),
      initPriv: kp.privatePackage.initPrivateKey,
      encryptionPriv: kp.privatePackage.hpkePrivateKey,
      signaturePriv: kp.privatePackage.signaturePrivateKey,
    };
  }

  newMember(suiteId, identity, state) {
    return this.add({ kind: "member", suite: suiteId, identity, state, pending: null, update: null, refs: new Map(), removed: false });
  }

  stateReply(id) {
    const m = this.member(id);
    return {
      stateId: id,
      removed: m.removed,
      epoch: m.state.groupContext.epoch,
      epochAuthenticator: m.removed ? new Uint8Array() : m.state.keySchedule.epochAuthenticator,
    };
  }

  async createGroup(groupId, suiteId, identity) {
    const cs = await this.suite(suiteId);
    const kp = await this.keyPackage(suiteId, identity);
    const state = await lib(() => mls.createGroup(groupId.slice(), kp.publicPackage, kp.privatePackage, [], cs));
    return this.stateReply(this.newMember(suiteId, identity, state));
  }

  async joinGroup(txId, welcomeBytes, treeBytes) {
    const tx = this.objects.get(txId);
    if (!tx || tx.kind !== "key_package") fail(ERR.unknown_id, `no key package transaction ${txId}`);
    const msg = decodeMessage(welcomeBytes, ["mls_welcome"], "welcome");
    const tree = treeBytes.length ? decodeAll(decodeRatchetTree, treeBytes, "ratchet_tree") : undefined;
    const cs = await this.suite(tx.suite);
    if (SUITE_IDS[msg.welcome.cipherSuite] !== tx.suite) fail(ERR.bad_input, "the Welcome is for another cipher suite");
    const state = await lib(() => mls.joinGroup(msg.welcome, tx.publicPackage, tx.privatePackage, mls.emptyPskIndex, cs, tree));
    this.objects.delete(txId);
    const identity = tx.publicPackage.leafNode.credential.identity;
    return this.stateReply(this.newMember(tx.suite, identity, state));
  }

  async externalJoin(giBytes, treeBytes, identity, aad, removePrior) {
    const gi = decodeAll(decodeGroupInfo, giBytes, "group_info");
    const tree = treeBytes.length ? decodeAll(decodeRatchetTree, treeBytes, "ratchet_tree") : undefined;
    const suiteId = SUITE_IDS[gi.groupContext.cipherSuite];
    const cs = await this.suite(suiteId);
    const kp = await this.keyPackage(suiteId, identity, removePrior ? this.priorKey(gi, identity) : undefined);
    const r = await lib(() =>
      mls.joinGroupExternal(gi, kp.publicPackage, kp.privatePackage, removePrior, cs, tree, undefined, aad.slice()),
    );
    const commit = { version: "mls10", wireformat: "mls_public_message", publicMessage: r.publicMessage };
    const parts = await this.commitBundle(cs, commit, undefined, r.newState, false);
    const id = this.newMember(suiteId, identity, r.newState);
    return { ...this.stateReply(id), parts };
  }

  // ts-mls finds the leaf a resync removes by its signature key: the new
  // leaf takes over the key of this identity's member in this process.
  priorKey(gi, identity) {
    for (const m of this.objects.values()) {
      if (m.kind !== "member" || m.removed || !equal(m.state.groupContext.groupId, gi.groupContext.groupId)) continue;
      const leaf = m.state.ratchetTree[leafToNodeIndex(m.state.privatePath.leafIndex)]?.leaf;
      if (leaf && equal(leaf.credential.identity, identity))
        return { signKey: m.state.signaturePrivateKey, publicKey: leaf.signaturePublicKey };
    }
    fail(ERR.unsupported, "remove_prior needs the identity's earlier member state in this process");
  }

  async groupInfoOf(cs, state, treeExtension) {
    return lib(() =>
      treeExtension
        ? mls.createGroupInfoWithExternalPubAndRatchetTree(state, [], cs)
        : mls.createGroupInfoWithExternalPub(state, [], cs),
    );
  }

  async groupInfo(id, treeExtension) {
    const m = this.active(id);
    const cs = await this.suite(m.suite);
    const gi = await this.groupInfoOf(cs, m.state, treeExtension);
    return { groupInfo: encodeGroupInfo(gi), ratchetTree: encodeRatchetTree(m.state.ratchetTree) };
  }

  // The parts of a profile v2 MLS-4 CommitBundle: the commit, the Welcome if
  // any, the GroupInfo of the epoch the commit creates (signed by the
  // committer, with external_pub) and that epoch's tree.
  async commitBundle(cs, commit, welcome, newState, treeExtension) {
    const gi = await this.groupInfoOf(cs, newState, treeExtension);
    return {
      commit: mls.encodeMlsMessage(commit),
      welcome: welcome ? mls.encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome }) : new Uint8Array(),
      groupInfo: encodeGroupInfo(gi),
      ratchetTree: encodeRatchetTree(newState.ratchetTree),
    };
  }

  async protect(id, aad, plaintext) {
    const m = this.active(id);
    const cs = await this.suite(m.suite);
    const r = await lib(() => mls.createApplicationMessage(m.state, plaintext.slice(), cs, aad.slice()));
    m.state = r.newState;
    return mls.encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: r.privateMessage });
  }

  async unprotect(id, bytes) {
    const m = this.active(id);
    const msg = decodeMessage(bytes, ["mls_private_message"], "message");
    if (msg.privateMessage.contentType !== "application") fail(ERR.bad_input, `not an application message (${msg.privateMessage.contentType})`);
    const cs = await this.suite(m.suite);
    const r = await lib(() => mls.processPrivateMessage(m.state, msg.privateMessage, mls.emptyPskIndex, cs));
    if (r.kind !== "applicationMessage") fail(ERR.bad_input, "not an application message");
    m.state = r.newState;
    return { authenticatedData: msg.privateMessage.authenticatedData, plaintext: r.message };
  }

  // Sends a proposal; remembers its reference so that a Commit can name it.
  async propose(m, framing, proposal) {
    const cs = await this.suite(m.suite);
    const before = new Set(Object.keys(m.state.unappliedProposals));
    const r = await lib(() => mls.createProposal(m.state, framing === FRAMING.public_message, proposal, cs));
    m.state = r.newState;
    const bytes = mls.encodeMlsMessage(r.message);
    const ref = Object.keys(m.state.unappliedProposals).find((k) => !before.has(k));
    if (ref !== undefined) m.refs.set(hex(bytes), ref);
    return bytes;
  }

  checkFraming(framing) {
    if (framing !== FRAMING.public_message && framing !== FRAMING.private_message) fail(ERR.bad_input, `framing ${framing}`);
  }

  async addProposal(id, framing, kpBytes) {
    const m = this.active(id);
    this.checkFraming(framing);
    const kp = decodeMessage(kpBytes, ["mls_key_package"], "key_package").keyPackage;
    return this.propose(m, framing, { proposalType: "add", add: { keyPackage: kp } });
  }

  async removeProposal(id, framing, leaf) {
    const m = this.active(id);
    this.checkFraming(framing);
    return this.propose(m, framing, { proposalType: "remove", remove: { removed: leaf } });
  }

  // An Update with a fresh encryption key, and a fresh signature key when
  // asked. ts-mls has no API for an own Update, so the LeafNode (source
  // update, RFC 9420 section 7.2) is signed here with the key it carries,
  // and the new private keys are kept until a Commit applies it.
  async updateProposal(id, framing, newSignatureKey) {
    const m = this.active(id);
    this.checkFraming(framing);
    const cs = await this.suite(m.suite);
    const leafIndex = m.state.privatePath.leafIndex;
    const own = m.state.ratchetTree[leafToNodeIndex(leafIndex)].leaf;
    const { leafNode, keys } = await lib(async () => {
      const kp = await cs.hpke.generateKeyPair();
      const hpkePublicKey = await cs.hpke.exportPublicKey(kp.publicKey);
      const hpkePrivateKey = await cs.hpke.exportPrivateKey(kp.privateKey);
      const sig = newSignatureKey
        ? await cs.signature.keygen()
        : { signKey: m.state.signaturePrivateKey, publicKey: own.signaturePublicKey };
      const data = {
        leafNodeSource: "update",
        hpkePublicKey,
        signaturePublicKey: sig.publicKey,
        credential: own.credential,
        capabilities: own.capabilities,
        extensions: own.extensions,
      };
      const tbs = { ...data, groupId: m.state.groupContext.groupId, leafIndex };
      const signature = await signWithLabel(sig.signKey, "LeafNodeTBS", encodeLeafNodeTBS(tbs), cs.signature);
      return { leafNode: { ...data, signature }, keys: { hpkePublicKey, hpkePrivateKey, signKey: sig.signKey } };
    });
    const bytes = await this.propose(m, framing, { proposalType: "update", update: { leafNode } });
    m.update = keys;
    return bytes;
  }

  // Makes sure the member has processed each proposal message and returns
  // their references.
  async learnProposals(m, messages) {
    const cs = await this.suite(m.suite);
    const refs = [];
    for (const bytes of messages) {
      const known = m.refs.get(hex(bytes));
      if (known !== undefined) {
        refs.push(known);
        continue;
      }
      const msg = decodeMessage(bytes, ["mls_public_message", "mls_private_message"], "proposal");
      const type = msg.wireformat === "mls_public_message" ? msg.publicMessage.content.contentType : msg.privateMessage.contentType;
      if (type !== "proposal") fail(ERR.bad_input, `not a proposal (${type})`);
      const before = new Set(Object.keys(m.state.unappliedProposals));
      const r = await lib(() => mls.processMessage(msg, m.state, mls.emptyPskIndex, mls.acceptAll, cs));
      const ref = Object.keys(r.newState.unappliedProposals).find((k) => !before.has(k));
      if (ref === undefined) fail(ERR.rejected, "the proposal was not taken");
      m.state = r.newState;
      m.refs.set(hex(bytes), ref);
      refs.push(ref);
    }
    return refs;
  }

  async commit(id, framing, aad, byReference, byValue, treeExtension) {
    const m = this.active(id);
    this.checkFraming(framing);
    const cs = await this.suite(m.suite);
    await this.learnProposals(m, byReference);
    const extraProposals = byValue.map((p) =>
      p.type === PROPOSAL.add
        ? { proposalType: "add", add: { keyPackage: decodeMessage(p.keyPackage, ["mls_key_package"], "key_package").keyPackage } }
        : { proposalType: "remove", remove: { removed: p.removed } },
    );
    // Every proposal the member holds goes in, as RFC 9420 section 12.4
    // wants ("MUST include all valid proposals received during the current
    // epoch"), and as ts-mls does; but not the member's own Updates ("MUST
    // NOT include any Update proposals generated by the committer"), which
    // ts-mls would include and then refuse.
    const own = m.state.privatePath.leafIndex;
    const unappliedProposals = Object.fromEntries(
      Object.entries(m.state.unappliedProposals).filter(
        ([, p]) => !(p.senderLeafIndex === own && p.proposal.proposalType === "update"),
      ),
    );
    const r = await lib(() =>
      mls.createCommit(
        { state: { ...m.state, unappliedProposals }, cipherSuite: cs },
        { wireAsPublicMessage: framing === FRAMING.public_message, extraProposals, ratchetTreeExtension: treeExtension, authenticatedData: aad.slice() },
      ),
    );
    const parts = await this.commitBundle(cs, r.commit, r.welcome, r.newState, treeExtension);
    m.pending = { commit: parts.commit, state: r.newState };
    return { parts, epoch: r.newState.groupContext.epoch, epochAuthenticator: r.newState.keySchedule.epochAuthenticator };
  }

  enterEpoch(m, state) {
    m.state = state;
    m.pending = null;
    m.update = null;
    m.refs = new Map();
    m.removed = state.groupActiveState.kind === "removedFromGroup";
  }

  async handlePendingCommit(id) {
    const m = this.active(id);
    if (!m.pending) fail(ERR.wrong_state, `member ${id} has no pending commit`);
    this.enterEpoch(m, m.pending.state);
    return this.stateReply(id);
  }

  // ts-mls 1.6.4 does not notice that an external commit (a resync, RFC 9420
  // section 12.4.3.2) removes the receiving member: it goes on to decrypt
  // the path, and fails or loops until V8 aborts the whole process
  // ("invalid array size"). The member is removed; say so without asking
  // ts-mls. The signature is not checked then (the others check it).
  removedByExternalCommit(m, msg) {
    if (msg.wireformat !== "mls_public_message") return false;
    const c = msg.publicMessage.content;
    if (c.sender.senderType !== "new_member_commit" || c.epoch !== m.state.groupContext.epoch) return false;
    const own = m.state.privatePath.leafIndex;
    return c.commit.proposals.some(
      (p) => p.proposalOrRefType === "proposal" && p.proposal.proposalType === "remove" && p.proposal.remove.removed === own,
    );
  }

  async handleCommit(id, proposals, commitBytes) {
    const m = this.active(id);
    if (m.pending && equal(m.pending.commit, commitBytes)) return this.handlePendingCommit(id);
    const msg = decodeMessage(commitBytes, ["mls_public_message", "mls_private_message"], "commit");
    const type = msg.wireformat === "mls_public_message" ? msg.publicMessage.content.contentType : msg.privateMessage.contentType;
    if (type !== "commit") fail(ERR.bad_input, `not a commit (${type})`);
    await this.learnProposals(m, proposals);
    if (this.removedByExternalCommit(m, msg)) {
      m.removed = true;
      m.pending = null;
      return this.stateReply(id);
    }
    const cs = await this.suite(m.suite);
    const process = (state) => mls.processMessage(msg, state, mls.emptyPskIndex, mls.acceptAll, cs);
    let next;
    if (m.update) {
      // The commit may apply this member's own Update: then the new leaf's
      // private keys are the ones to decrypt with and to sign with.
      const u = m.update;
      const patched = { ...m.state, privatePath: updateLeafKey(m.state.privatePath, u.hpkePrivateKey), signaturePrivateKey: u.signKey };
      try {
        const r = await process(patched);
        const leaf = r.newState.ratchetTree[leafToNodeIndex(r.newState.privatePath.leafIndex)];
        if (leaf?.leaf && equal(leaf.leaf.hpkePublicKey, u.hpkePublicKey)) next = r.newState;
      } catch (e) {
        next = undefined;
      }
    }
    if (!next) next = (await lib(() => process(m.state))).newState;
    const removed = next.groupActiveState.kind === "removedFromGroup";
    if (!removed && next.groupContext.epoch !== m.state.groupContext.epoch + 1n) fail(ERR.rejected, "the commit did not start a new epoch");
    this.enterEpoch(m, next);
    return this.stateReply(id);
  }

  memberInfo(id) {
    const m = this.member(id);
    const s = m.state;
    const leaf = s.ratchetTree[leafToNodeIndex(s.privatePath.leafIndex)]?.leaf;
    return {
      groupId: s.groupContext.groupId,
      cipherSuite: m.suite,
      epoch: s.groupContext.epoch,
      leafIndex: s.privatePath.leafIndex,
      identity: leaf ? leaf.credential.identity : m.identity,
      signaturePublicKey: leaf ? leaf.signaturePublicKey : new Uint8Array(),
      pendingCommit: m.pending !== null,
      removed: m.removed,
    };
  }

  async signWithLabel(id, label, content) {
    const m = this.active(id);
    const cs = await this.suite(m.suite);
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(label);
    } catch (e) {
      fail(ERR.bad_input, "label is not UTF-8");
    }
    const signature = await lib(() => signWithLabel(m.state.signaturePrivateKey, text, content.slice(), cs.signature));
    return { signature, signaturePublicKey: this.memberInfo(id).signaturePublicKey };
  }
}
