/* mig.pml: one migration of one MLS group from a source DS to a target DS
 * (draft-05 as profiled by mlsmig; with -DAMEND, the amendment of
 * docs/amendment.md), written from the profile and docs/actors.md, not
 * from the C code. model/README.md explains the abstraction.
 *
 * Actors: the client alice (the member who migrates), the source DS, the
 * target DS and bob (another member, who gets the fan-out and may send an
 * ordinary Commit). The network loses, duplicates, corrupts, delays
 * (reorders) and replays late; DSes and the client crash and restart with
 * their durable state; time is abstract (see "Time" below).
 *
 * One build serves every verification: what varies is read at start from
 * the environment (model/run.py and model/cross.py set it):
 *   MM_CFG       words, comma-separated:
 *     amend        the amendment (MigrationRefusal, MigrationWithdraw)
 *     maxf=N       free mode: at most N faults in a run (default 2)
 *     net=N        free mode: network faults, a bit set (1 drop, 2
 *                  duplicate, 4 delay, 8 corrupt, 16 replay late; default 31)
 *     crash        free mode: crashes of the source, the target, the client
 *     jump         free mode: clock jumps past the nonce lifetime
 *     deny, taken  free mode: the target's policy starts refusing alice /
 *                  the target creates a group with the same ID, at any time
 *     flip         free mode, with deny: the policy may allow alice again
 *     ocommit      free mode: bob sends an ordinary Commit at any time
 *     giveup       mutant (a): the source gives up after MigrationContent
 *                  without the target's word (GAP-4)
 *     late-record  mutant (b): the target sends MigrationRefusal before its
 *                  refusal record is durable (breaks AMD-3)
 *     refuse-imported  mutant (b): the target answers a withdrawal with a
 *                  refusal although it imported (breaks AMD-4)
 *   MM_SCHED     schedule mode (model/cross.py): exactly these faults and
 *                no others, "kind:type:actor:nth,..." (see below)
 */

#ifndef QN
#define QN 3
#endif

/* actors, also channel indexes */
#define AC 0 /* alice, the client */
#define AS 1 /* source DS */
#define AT 2 /* target DS */
#define AB 3 /* bob */
#define NA 4

/* message types */
#define M_REQ 1      /* MigrationRequest, alice -> target */
#define M_RESP 2     /* MigrationResponse, target -> alice; arg = nonce */
#define M_INIT 3     /* MigrationInit, alice -> source; arg = nonce */
#define M_COMMIT 4   /* the migration Commit, alice -> source */
#define M_CONTENT 5  /* MigrationContent, source -> target; arg = nonce */
#define M_COMPLETE 6 /* TargetMigrationComplete, target -> source; arg = nonce */
#define M_FANOUT 7   /* the fanned-out migration Commit, source -> members */
#define M_CONFIRM 8  /* MigrationConfirmation, source -> alice */
#define M_ERRT 9     /* MigrationError from the target; arg = code */
#define M_ERRS 10    /* MigrationError from the source; arg = code */
#define M_REFUSAL 11 /* (AMEND) MigrationRefusal, target -> source; arg = nonce */
#define M_WITHDRAW 12 /* (AMEND) MigrationWithdraw, source -> target; arg = nonce */
#define M_OCOMMIT 13 /* bob's ordinary Commit, bob -> source */
#define NT 14

/* error codes (profile section 8), and the amendment's */
#define E_MALFORMED 1
#define E_BADSIG 3
#define E_EXPIRED 6
#define E_WRONGDOM 7
#define E_EXISTS 9
#define E_STALE 10
#define E_BADCOMMIT 11
#define E_UNAUTH 13
#define E_BUSY 15
#define E_MIGRATED 16
#define E_REFUSED 19 /* (AMEND) migration_refused */
#define E_IO 99      /* the client gave up (no wire code) */

/* client phases */
#define C_IDLE 0
#define C_REQUESTED 1
#define C_INIT_SENT 2
#define C_DONE 3
#define C_FAILED 4

/* source group status */
#define S_ACTIVE 0
#define S_MIGRATING 1
#define S_TOMB 2
/* how the source's migration ended (for retransmitted MigrationInits) */
#define END_NONE 0
#define END_ABORTED 1
#define END_DONE 2
#define END_REFUSED 3

/* fault kinds (schedule mode; also printed for model/trail2scn.py) */
#define F_DROP 1
#define F_DUP 2
#define F_DELAY 3
#define F_CORRUPT 4
#define F_REPLAY 5
#define F_CRASH_S 6
#define F_CRASH_T 7
#define F_CRASH_C 8
#define F_JUMP 9
#define F_DENY 10
#define F_TAKEN 11
#define F_OCOMMIT 12
#define F_GIVEUP 13

#define MAXN 3   /* nonces the target issues (more reuse the last id) */
#define MAXERA 3 /* abstract time: how many "long pauses" (> 300 s) passed */

chan q[NA] = [QN] of { byte, bit, byte }; /* type, corrupted, arg */

bit up[NA] = 1;
byte era = 0;   /* incremented by a pause longer than every timer */
byte nf = 0;    /* faults injected so far (free mode) */

/* the configuration (MM_CFG, MM_SCHED): constant after init */
bit amend = 0;
bit sched = 0;
byte maxf = 2;
byte netk = 31;
bit f_crash = 0;
bit f_jump = 0;
bit f_deny = 0;
bit f_flip = 0;
bit f_taken = 0;
bit f_ocommit = 0;
bit m_giveup = 0;
bit m_late = 0;
bit m_refimp = 0;

/* the late pool: one delayed or replayed envelope */
byte late_t = 0;
byte late_dst = 0;
byte late_a = 0;
bit late_b = 0;
bit late_long = 0; /* a replay: delivered after a long pause */

/* client alice: volatile only (the client keeps nothing) */
byte cphase = C_IDLE;
byte cera = 0;    /* era when the phase began (120 s give-up) */
byte cnonce = 0;
bit cpoint = 0;   /* alice points to the target */
bit bpoint = 0;   /* bob points to the target */
bit bsent = 0;    /* bob has sent his ordinary Commit */

/* source DS: durable (DUR-1) but for held_commit and the timers */
byte sstat = S_ACTIVE;
bit sepoch = 0;    /* 0: epoch E; 1: an ordinary Commit moved it to E+1 */
byte snonce = 0;   /* the nonce used by the migration (NONCE-3) */
bit mig_init = 0;  /* the migration record has its MigrationInit */
bit mig_commit = 0; /* ... and its migration Commit */
bit content_sent = 0;
bit withdraw_sent = 0; /* (AMEND) */
byte mig_end = END_NONE;
bit held_commit = 0; /* volatile: a migration Commit waiting for its Init */

/* target DS: everything durable */
byte nn = 0;            /* nonces issued */
byte nera[MAXN + 1];    /* era at issue, per nonce */
bit imported = 0;
byte tcons = 0;         /* the nonce consumed by the import */
bit tdeny = 0;          /* policy refuses alice from now on (AUTHZ-4) */
bit ttaken = 0;         /* a group with the same ID exists here (GROUP-1) */
bit tref[MAXN + 1];     /* (AMEND) durable refusal record, per nonce */
bit tref_pending[MAXN + 1]; /* (M_LATE_RECORD) sent, not yet durable */

/* history, for the properties */
byte nacc = 0;  /* Commits accepted for epoch E by any DS (INV-1) */
bit tgap = 0;   /* the target refused an authentic content for a reason
                   draft-05 makes final (expired, policy, group taken) */

#define busy (sstat == S_MIGRATING || cphase == C_REQUESTED || cphase == C_INIT_SENT)
/* A crashed actor restarts once what was in flight has arrived (and was
 * lost at it): being down lasts longer than a hop, as the C simulator's
 * 2 s restart does, and shorter than any timer. */
#define nothing_in_flight (len(q[AC]) == 0 && len(q[AS]) == 0 && len(q[AT]) == 0 && len(q[AB]) == 0)
#define quiet (len(q[AC]) == 0 && len(q[AS]) == 0 && len(q[AT]) == 0 && len(q[AB]) == 0 && \
               up[AC] && up[AS] && up[AT])

/* schedule mode: at most 4 faults, each (kind, type, actor, nth): a
 * network fault acts on the nth send of `type` to `actor`; a step fault
 * (crash, jump, deny, taken) acts just before the nth delivery of `type`
 * to `actor`. Counters saturate at 3. */
#define NSF 4
byte sk[NSF];
byte st[NSF];
byte sa[NSF];
byte sn[NSF];
bit sdone[NSF];
byte nsent[NT * NA];
byte ndel[NT * NA];

/* Enqueue one envelope; a full queue coalesces with the copies in flight. */
inline put(dst, t, b, a) {
  if
  :: nfull(q[dst]) -> q[dst]!t,b,a
  :: full(q[dst]) -> printf("MMFULL %d %d\n", t, dst)
  fi
}

inline to_late(dst, t, b, a, lng) {
  late_t = t; late_dst = dst; late_b = b; late_a = a; late_long = lng
}

/* Send one envelope through the faulty network. */
inline send(dst, t, a) {
  kind = 0;
  if
  :: sched ->
     if
     :: nsent[t * NA + dst] < 3 -> nsent[t * NA + dst]++
     :: else -> skip
     fi;
     i = 0;
     do /* every option exclusive: a scheduled fault always acts */
     :: i < NSF ->
        if
        :: sk[i] >= F_DROP && sk[i] <= F_REPLAY && !sdone[i] && st[i] == t && sa[i] == dst &&
           sn[i] == nsent[t * NA + dst] -> kind = sk[i]; sdone[i] = 1
        :: else -> skip
        fi;
        i++
     :: else -> break
     od;
     if
     :: (kind == F_DELAY || kind == F_REPLAY) && late_t != 0 -> kind = 0 /* one late slot */
     :: else -> skip
     fi
  :: !sched ->
     if
     :: kind = 0
     :: (netk & 1) && nf < maxf -> kind = F_DROP
     :: (netk & 2) && nf < maxf -> kind = F_DUP
     :: (netk & 4) && nf < maxf && late_t == 0 -> kind = F_DELAY
     :: (netk & 8) && nf < maxf -> kind = F_CORRUPT
     :: (netk & 16) && nf < maxf && late_t == 0 -> kind = F_REPLAY
     fi;
     if
     :: kind != 0 -> nf++
     :: else -> skip
     fi
  fi;
  printf("MMSEND %d %d %d\n", t, dst, kind);
  if
  :: kind == 0 -> put(dst, t, 0, a)
  :: kind == F_DROP -> skip
  :: kind == F_DUP -> put(dst, t, 0, a); put(dst, t, 0, a)
  :: kind == F_DELAY -> to_late(dst, t, 0, a, 0)
  :: kind == F_CORRUPT -> put(dst, t, 1, a)
  :: kind == F_REPLAY -> put(dst, t, 0, a); to_late(dst, t, 0, a, 1)
  fi;
  kind = 0; i = 0 /* locals back to 0: no state differs by them alone */
}

inline long_pause() {
  if
  :: era < MAXERA -> era++
  :: else -> skip
  fi
}

/* Crashes: volatile state is lost, the durable stores stay (DUR-1). */
inline crash(x) {
  printf("MMCRASH %d\n", x);
  up[x] = 0;
  if
  :: x == AC -> cphase = C_IDLE; cnonce = 0; cpoint = 0
  :: x == AS -> held_commit = 0
  :: x == AT ->
     j = 1;
     do
     :: j <= MAXN -> tref_pending[j] = 0; j++
     :: else -> break
     od;
     j = 0
  :: else -> skip
  fi
}

/* Schedule mode counts every delivery (a lost one too) ... */
inline count_delivery(t, x) {
  if
  :: sched && ndel[t * NA + x] < 3 -> ndel[t * NA + x]++
  :: else -> skip
  fi
}

/* ... and applies the step faults placed just after the nth delivery of
 * type t to actor x (t = 0: at the start, before alice sends anything),
 * before anything else happens: as the C simulator's `step=N`, which acts
 * right after delivery N-1. */
inline step_faults(t, x) {
  i = 0;
  do /* every option exclusive: a scheduled fault always acts */
  :: i < NSF ->
     if
     :: sk[i] >= F_CRASH_S && !sdone[i] && st[i] == t && sa[i] == x &&
        (t == 0 || sn[i] == ndel[t * NA + x]) ->
        sdone[i] = 1;
        if
        :: sk[i] == F_CRASH_S && up[AS] -> crash(AS)
        :: sk[i] == F_CRASH_T && up[AT] -> crash(AT)
        :: sk[i] == F_CRASH_C && up[AC] -> crash(AC)
        :: sk[i] == F_JUMP -> printf("MMJUMP\n"); long_pause()
        :: sk[i] == F_DENY -> printf("MMDENY\n"); tdeny = 1
        :: sk[i] == F_TAKEN && !imported -> printf("MMTAKEN\n"); ttaken = 1
        :: else -> skip
        fi
     :: else -> skip
     fi;
     i++
  :: else -> break
  od;
  i = 0
}

/* The target refuses an authentic MigrationContent for a final reason. */
inline final_refusal(k, code) {
  tgap = 1;
  printf("MMREFUSE %d %d\n", k, code);
  if
  :: amend && !m_late -> tref[k] = 1; send(AS, M_REFUSAL, k) /* AMD-3: durable first */
  :: amend && m_late -> tref_pending[k] = 1; send(AS, M_REFUSAL, k) /* durable later */
  :: !amend -> send(AS, M_ERRT, code)
  fi
}

proctype Client() {
  byte t, a, kind, i, j;
  bit b;
  atomic {
    if
    :: up[AC] -> cphase = C_REQUESTED; cera = era; send(AT, M_REQ, 0)
    :: else -> skip /* crashed at the start (schedule mode): no migration */
    fi }
end_c:
  do
  :: atomic { up[AC] && nempty(q[AC]) -> q[AC]?t,b,a;
     printf("MMDEL %d %d %d\n", t, AC, b);
     count_delivery(t, AC);
     if
     :: !up[AC] -> printf("MMLOST %d %d\n", t, AC)
     :: else ->
        if
        :: t == M_RESP && !b && cphase == C_REQUESTED ->
           cnonce = a; cphase = C_INIT_SENT; cera = era;
           send(AS, M_INIT, cnonce); send(AS, M_COMMIT, cnonce)
        :: t == M_ERRT && cphase == C_REQUESTED && a != E_BUSY -> cphase = C_FAILED
        :: t == M_ERRS && cphase == C_INIT_SENT && a != E_BUSY -> cphase = C_FAILED
        :: t == M_FANOUT && !b ->
           cpoint = 1;
           if
           :: cphase == C_INIT_SENT -> cphase = C_DONE
           :: else -> skip
           fi
        :: t == M_CONFIRM && !b && cphase == C_INIT_SENT -> cphase = C_DONE; cpoint = 1
        :: else -> skip /* ignored (a corrupted or unexpected message) */
        fi
     fi;
     step_faults(t, AC);
     t = 0; b = 0; a = 0 }
  :: atomic { !up[AC] && nempty(q[AC]) -> q[AC]?t,b,a; printf("MMDEL %d %d %d\n", t, AC, b);
     printf("MMLOST %d %d\n", t, AC);
     count_delivery(t, AC); step_faults(t, AC); t = 0; b = 0; a = 0 }
  :: atomic { !up[AC] && nothing_in_flight -> up[AC] = 1; printf("MMRESTART %d\n", AC) }
  od
}

proctype Bob() {
  byte t, a, kind, i, j;
  bit b;
end_b:
  do
  :: atomic { q[AB]?t,b,a -> printf("MMDEL %d %d %d\n", t, AB, b);
     count_delivery(t, AB);
     if
     :: t == M_FANOUT && !b -> bpoint = 1
     :: else -> skip
     fi;
     step_faults(t, AB);
     t = 0; b = 0; a = 0 }
  od
}

proctype Source() {
  byte t, a, kind, i, j;
  bit b;
end_s:
  do
  :: atomic { up[AS] && nempty(q[AS]) -> q[AS]?t,b,a;
     printf("MMDEL %d %d %d\n", t, AS, b);
     count_delivery(t, AS);
     if
     :: !up[AS] -> printf("MMLOST %d %d\n", t, AS)
     :: else ->
        if
        /* MigrationInit (docs/actors.md, source steps 1-11) */
        :: t == M_INIT && b -> send(AC, M_ERRS, E_BADSIG)
        :: t == M_INIT && !b && sstat == S_TOMB -> send(AC, M_ERRS, E_MIGRATED)
        :: t == M_INIT && !b && sstat != S_TOMB && sepoch != 0 -> send(AC, M_ERRS, E_STALE)
        :: t == M_INIT && !b && sstat != S_TOMB && sepoch == 0 && snonce != 0 ->
           /* NONCE-3: a retransmission gets the same outcome */
           if
           :: a != snonce -> send(AC, M_ERRS, E_BUSY)
           :: a == snonce && mig_end == END_ABORTED -> send(AC, M_ERRS, E_BADCOMMIT)
           :: a == snonce && mig_end == END_REFUSED -> send(AC, M_ERRS, E_REFUSED)
           :: else -> skip
           fi
        :: t == M_INIT && !b && sstat == S_ACTIVE && sepoch == 0 && snonce == 0 ->
           snonce = a; sstat = S_MIGRATING; mig_init = 1;
           if
           :: held_commit ->
              held_commit = 0; mig_commit = 1; content_sent = 1;
              send(AT, M_CONTENT, snonce)
           :: else -> skip
           fi
        /* the migration Commit (EPOCH-2, LIFE-4) */
        :: t == M_COMMIT && b -> send(AC, M_ERRS, E_MALFORMED)
        :: t == M_COMMIT && !b && sstat == S_TOMB -> send(AC, M_ERRS, E_MIGRATED)
        :: t == M_COMMIT && !b && sstat == S_MIGRATING && !mig_commit ->
           mig_commit = 1; content_sent = 1; send(AT, M_CONTENT, snonce)
        :: t == M_COMMIT && !b && sstat == S_MIGRATING && mig_commit -> skip
        :: t == M_COMMIT && !b && sstat == S_ACTIVE && sepoch != 0 -> send(AC, M_ERRS, E_STALE)
        :: t == M_COMMIT && !b && sstat == S_ACTIVE && sepoch == 0 -> held_commit = 1
        /* TargetMigrationComplete (SIG-4, HASH-2; LIFE-1, LIFE-2) */
        :: t == M_COMPLETE && !b && sstat == S_MIGRATING && content_sent && a == snonce ->
           assert(imported); /* INV-2: some DS holds the state */
           sstat = S_TOMB; mig_end = END_DONE;
           send(AC, M_FANOUT, 0); send(AB, M_FANOUT, 0); send(AC, M_CONFIRM, 0)
        /* MigrationRefusal (AMD-6): resume at the old epoch */
        :: t == M_REFUSAL && amend && !b && sstat == S_MIGRATING && content_sent &&
           a == snonce ->
           sstat = S_ACTIVE; mig_end = END_REFUSED; mig_commit = 0; content_sent = 0;
           withdraw_sent = 0; send(AC, M_ERRS, E_REFUSED)
        /* an ordinary Commit (LIFE-3) */
        :: t == M_OCOMMIT && !b && sstat == S_ACTIVE && sepoch == 0 ->
           sepoch = 1; nacc++; assert(nacc <= 1) /* INV-1 */
        :: else -> skip /* refused or dropped, no state change */
        fi
     fi;
     step_faults(t, AS);
     t = 0; b = 0; a = 0 }
  :: atomic { !up[AS] && nempty(q[AS]) -> q[AS]?t,b,a; printf("MMDEL %d %d %d\n", t, AS, b);
     printf("MMLOST %d %d\n", t, AS);
     count_delivery(t, AS); step_faults(t, AS); t = 0; b = 0; a = 0 }
  :: atomic { !up[AS] && nothing_in_flight -> up[AS] = 1; printf("MMRESTART %d\n", AS) }
  od
}

proctype Target() {
  byte t, a, kind, i, j;
  bit b;
end_t:
  do
  :: atomic { up[AT] && nempty(q[AT]) -> q[AT]?t,b,a;
     printf("MMDEL %d %d %d\n", t, AT, b);
     count_delivery(t, AT);
     if
     :: !up[AT] -> printf("MMLOST %d %d\n", t, AT)
     :: else ->
        if
        /* MigrationRequest (DOM-1, GROUP-1, AUTHZ-3, NONCE-1/2) */
        :: t == M_REQ && b -> send(AC, M_ERRT, E_WRONGDOM)
        :: t == M_REQ && !b && (imported || ttaken) -> send(AC, M_ERRT, E_EXISTS)
        :: t == M_REQ && !b && !(imported || ttaken) && tdeny -> send(AC, M_ERRT, E_UNAUTH)
        :: t == M_REQ && !b && !(imported || ttaken) && !tdeny ->
           if
           :: nn < MAXN -> nn++
           :: else -> skip
           fi;
           nera[nn] = era; send(AC, M_RESP, nn)
        /* MigrationContent (target steps 1-8) */
        :: t == M_CONTENT && b -> send(AS, M_ERRT, E_BADSIG)
        :: t == M_CONTENT && !b && imported && tcons == a -> send(AS, M_COMPLETE, a) /* LIFE-5 */
        :: t == M_CONTENT && !b && !(imported && tcons == a) && (tref[a] || tref_pending[a]) ->
           send(AS, M_REFUSAL, a) /* AMD-3: the same answer, however late */
        :: t == M_CONTENT && !b && !(imported && tcons == a) && !tref[a] && !tref_pending[a] ->
           if
           :: era > nera[a] -> final_refusal(a, E_EXPIRED)  /* NONCE-2 */
           :: era <= nera[a] && tdeny -> final_refusal(a, E_UNAUTH) /* AUTHZ-4 */
           :: era <= nera[a] && !tdeny && (ttaken || imported) ->
              final_refusal(a, E_EXISTS) /* GROUP-1 */
           :: era <= nera[a] && !tdeny && !ttaken && !imported ->
              imported = 1; tcons = a; nacc++;
              assert(nacc <= 1); /* INV-1 */
              assert(!tdeny);    /* INV-3 */
              send(AS, M_COMPLETE, a)
           fi
        /* MigrationWithdraw (AMD-4) */
        :: t == M_WITHDRAW && !b && imported && tcons == a && !m_refimp ->
           send(AS, M_COMPLETE, a)
        :: t == M_WITHDRAW && !b && imported && tcons == a && m_refimp ->
           tref[a] = 1; send(AS, M_REFUSAL, a)
        :: t == M_WITHDRAW && !b && !(imported && tcons == a) && !m_late ->
           tref[a] = 1; send(AS, M_REFUSAL, a)
        :: t == M_WITHDRAW && !b && !(imported && tcons == a) && m_late ->
           tref_pending[a] = 1; send(AS, M_REFUSAL, a)
        :: else -> skip
        fi
     fi;
     step_faults(t, AT);
     t = 0; b = 0; a = 0 }
  :: atomic { !up[AT] && nempty(q[AT]) -> q[AT]?t,b,a; printf("MMDEL %d %d %d\n", t, AT, b);
     printf("MMLOST %d %d\n", t, AT);
     count_delivery(t, AT); step_faults(t, AT); t = 0; b = 0; a = 0 }
  :: atomic { !up[AT] && nothing_in_flight -> up[AT] = 1; printf("MMRESTART %d\n", AT) }
  :: atomic { up[AT] && (tref_pending[1] || tref_pending[2] || tref_pending[3]) ->
     j = 1;
     do
     :: j <= MAXN -> if :: tref_pending[j] -> tref[j] = 1; tref_pending[j] = 0 :: else -> skip fi; j++
     :: else -> break
     od;
     j = 0 }
  od
}

/* Time. A timer fires only when the system is quiet (nothing in flight,
 * nobody down): every delivery is faster than every timer. Retransmission
 * timers (1..16 s) fire together: time moves to the next one. The hold
 * (10 s) fires at any quiet point. The long timers (nonce lifetime 300 s,
 * the client's 120 s) need a long pause: `era` counts them. */
proctype Clock() {
  byte kind, i, j;
end_k:
  do
  /* LIFE-5 and the client's retransmissions */
  :: atomic { quiet && (((cphase == C_REQUESTED || cphase == C_INIT_SENT) && era == cera) ||
                        (sstat == S_MIGRATING && content_sent)) ->
     printf("MMTICK\n");
     if
     /* the client retransmits until its 120 s deadline, not after it: a
      * long pause since the phase began leaves it only giving up */
     :: cphase == C_REQUESTED && era == cera -> send(AT, M_REQ, 0)
     :: cphase == C_INIT_SENT && era == cera -> send(AS, M_INIT, cnonce); send(AS, M_COMMIT, cnonce)
     :: else -> skip
     fi;
     if
     :: sstat == S_MIGRATING && content_sent && !withdraw_sent -> send(AT, M_CONTENT, snonce)
     :: sstat == S_MIGRATING && content_sent && withdraw_sent -> send(AT, M_WITHDRAW, snonce)
     :: else -> skip
     fi }
  /* LIFE-4: an Init without its Commit is aborted before MigrationContent */
  :: atomic { quiet && sstat == S_MIGRATING && mig_init && !mig_commit ->
     printf("MMHOLD init\n");
     sstat = S_ACTIVE; mig_init = 0; mig_end = END_ABORTED }
  /* LIFE-4: a Commit without its Init is refused */
  :: atomic { quiet && held_commit ->
     printf("MMHOLD commit\n");
     held_commit = 0; send(AC, M_ERRS, E_BADCOMMIT) }
  /* the client gives up after 120 s */
  :: atomic { quiet && (cphase == C_REQUESTED || cphase == C_INIT_SENT) && era > cera ->
     printf("MMGIVEUP client\n"); cphase = C_FAILED }
  /* a delayed envelope arrives (after the next timer); a replayed one
   * (400 s late) once nothing short is pending: the migration has ended,
   * or it is stuck after a final refusal */
  :: atomic { quiet && late_t != 0 && (!late_long || !busy || tgap) ->
     printf("MMLATE %d %d %d\n", late_t, late_dst, late_long);
     if
     :: late_long -> long_pause()
     :: else -> skip
     fi;
     put(late_dst, late_t, late_b, late_a);
     late_t = 0; late_dst = 0; late_a = 0; late_b = 0; late_long = 0 }
  /* AMD-4: the source may withdraw at any time after MigrationContent */
  :: atomic { amend && quiet && sstat == S_MIGRATING && content_sent && !withdraw_sent ->
     printf("MMWITHDRAW\n"); withdraw_sent = 1; send(AT, M_WITHDRAW, snonce) }
  /* mutant: the source gives up after MigrationContent on its own */
  :: atomic { m_giveup && quiet && sstat == S_MIGRATING && content_sent ->
     printf("MMGIVEUP source\n");
     sstat = S_ACTIVE; mig_end = END_ABORTED; mig_commit = 0; content_sent = 0 }
  /* INV-4 when the run may end: one home, members point to it */
  :: atomic { quiet && !busy && late_t == 0 && !held_commit ->
     assert((sstat != S_TOMB) + imported == 1);
     assert(!cpoint || imported);
     assert(!bpoint || imported) }
  od
}

/* Faults that are not tied to a send, at any time, within the budget. */
proctype Env() {
  byte kind, i, j;
end_e:
  do
  :: atomic { f_crash && nf < maxf && up[AS] -> nf++; crash(AS) }
  :: atomic { f_crash && nf < maxf && up[AT] -> nf++; crash(AT) }
  :: atomic { f_crash && nf < maxf && up[AC] -> nf++; crash(AC) }
  :: atomic { f_jump && nf < maxf && era < MAXERA -> nf++; printf("MMJUMP\n"); long_pause() }
  :: atomic { f_deny && !tdeny -> printf("MMDENY\n"); tdeny = 1 }
  :: atomic { f_flip && tdeny -> printf("MMALLOW\n"); tdeny = 0 }
  :: atomic { f_taken && !ttaken && !imported -> printf("MMTAKEN\n"); ttaken = 1 }
  :: atomic { f_ocommit && !bsent -> bsent = 1; printf("MMOCOMMIT\n"); put(AS, M_OCOMMIT, 0, 0) }
  od
}

init {
  byte t, kind, i, j;
  c_code {
    /* MM_SCHED="kind:type:actor:nth,..." (model/cross.py writes it) */
    const char *s = getenv("MM_SCHED");
    const char *c = getenv("MM_CFG");
    const char *v;
    int n = 0;
    while (s && *s && n < NSF) {
      int k, t, a, m, used = 0;
      if (sscanf(s, "%d:%d:%d:%d%n", &k, &t, &a, &m, &used) != 4) break;
      now.sk[n] = k; now.st[n] = t; now.sa[n] = a; now.sn[n] = m; n++;
      s += used;
      if (*s == ',') s++;
    }
    now.sched = s != NULL;
    if (c) {
      char buf[512];
      snprintf(buf, sizeof buf, ",%s,", c);
      now.amend = strstr(buf, ",amend,") != NULL;
      now.f_crash = strstr(buf, ",crash,") != NULL;
      now.f_jump = strstr(buf, ",jump,") != NULL;
      now.f_deny = strstr(buf, ",deny,") != NULL;
      now.f_flip = strstr(buf, ",flip,") != NULL;
      now.f_taken = strstr(buf, ",taken,") != NULL;
      now.f_ocommit = strstr(buf, ",ocommit,") != NULL;
      now.m_giveup = strstr(buf, ",giveup,") != NULL;
      now.m_late = strstr(buf, ",late-record,") != NULL;
      now.m_refimp = strstr(buf, ",refuse-imported,") != NULL;
      if ((v = strstr(buf, ",maxf=")) != NULL) now.maxf = atoi(v + 6);
      if ((v = strstr(buf, ",net=")) != NULL) now.netk = atoi(v + 5);
    }
  };
  atomic {
    step_faults(0, 0); /* faults placed at the start */
    run Target(); run Source(); run Bob(); run Clock();
    if
    :: !sched -> run Env()
    :: else -> skip
    fi;
    run Client()
  }
}

/* INV-5: every started migration ends (completes, or aborts before
 * MigrationContent, or, with the amendment, is refused or withdrawn). */
ltl inv5 { [] (busy -> <> !busy) }
/* INV-5 save for GAP-1: a migration that does not end had a final refusal. */
ltl inv5g { [] (busy -> <> (!busy || tgap)) }
/* No claim: the assertions (INV-1..INV-4) alone, in a build with claims. */
ltl safety { [] true }
