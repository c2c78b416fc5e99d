/*
 * Baton's lease protocol in Promela (docs/protocol.md#the-model).
 *
 * One lease item, two workers, an environment (late requests, operator, clock
 * steps) and discrete real time. Every write is one atomic step with exactly
 * the condition of lib/runtime/in-memory-lease-store.ts; every client decision
 * follows lib/runtime/lease.ts, lease-client.ts and elector.ts. Configuration
 * and mutants are chosen with -D flags by spec/run-model.ts.
 *
 * Time: T is real time in model units. A worker's monotonic clock is T (only
 * differences of it are read); its wall clock is T + off[w]. Requests land at
 * the instant they are sent, or (a fault) later, with their answer lost.
 */

#ifndef H
#define H 12            /* time horizon */
#endif
#ifndef FH
#define FH H            /* faults, clock steps and late landings only before FH */
#endif
#ifndef MAXF
#define MAXF 2          /* faults: lost request, lost answer, late request, crash, operator release */
#endif
#ifndef NSTEP
#define NSTEP 0         /* wall-clock steps */
#endif
#ifndef D0
#define D0 5
#endif
#ifndef D1
#define D1 D0
#endif
#ifndef M
#define M 1
#endif
#ifndef S
#define S 1
#endif
#ifndef PR0
#define PR0 0           /* priority + 1; 0: none recorded */
#endif
#ifndef PR1
#define PR1 0
#endif
#ifndef CLOCKFREE
#define CLOCKFREE 0
#endif
#ifndef TICKS
#define TICKS 0         /* runAsLeader invocations carrying a tick (1..NTICK) */
#endif
#ifndef NTICK
#define NTICK 2
#endif
#ifndef OPERATOR
#define OPERATOR 0
#endif
#ifndef CRASH
#define CRASH 1
#endif
#ifndef OFFMAX
#define OFFMAX S        /* largest |offset|; wall-clock runs keep |off0 - off1| <= S */
#endif
#ifndef CFBEHIND
#define CFBEHIND 0      /* clock-free runs may also start the second worker's clock OFFMAX behind */
#endif
#ifndef JOBS
#define JOBS 1          /* the leader's work may end at any moment */
#endif

/* Mutants (each 0 in the protocol as fixed). */
#ifndef MUT_RENEW_NO_EXPIRY
#define MUT_RENEW_NO_EXPIRY 0
#endif
#ifndef MUT_ACQUIRE_NO_SKEW
#define MUT_ACQUIRE_NO_SKEW 0
#endif
#ifndef MUT_REFUSED_EXTENDS
#define MUT_REFUSED_EXTENDS 0
#endif
#ifndef MUT_SETTLE_BY_EXPIRY
#define MUT_SETTLE_BY_EXPIRY 0
#endif
#ifndef MUT_WATCH_OWN
#define MUT_WATCH_OWN 0
#endif
#ifndef MUT_RELEASE_NO_BY
#define MUT_RELEASE_NO_BY 0
#endif
#ifndef MUT_ELECT_PERIOD
#define MUT_ELECT_PERIOD 0
#endif
#ifndef MUT_WAIT_CF_EXPIRY
#define MUT_WAIT_CF_EXPIRY 0
#endif
#ifndef MUT_WAIT_FAR
#define MUT_WAIT_FAR 0
#endif
#ifndef MUT_WAIT_RESERVED
#define MUT_WAIT_RESERVED 0
#endif
#ifndef MUT_RELEASE_NO_RESERVE
#define MUT_RELEASE_NO_RESERVE 0
#endif

#define NW 2
#define OPER 250        /* releasedBy of an operator's forceRelease */
#define HI 1            /* the higher-priority worker in handoff runs */

#define WAIT 0
#define LEAD 1
#define REL 2
#define REL2 3

/* the lease item (attributes a condition reads) */
bool present;
byte holder, token, version, lastTick, releasedBy, prio, hoPrio, hoTo, durMs;
int expiresAt;

byte T;
int off[NW];
byte faults, steps;

/* history, for the properties */
byte maxTok, fence, maxWrote;
bool ledLate, hiLed;
byte resvEnd;
bool ok; byte net; int nowv; bool ready; byte sent; int until; byte rsv;

/* workers */
byte Dw[NW], Pw[NW], PRw[NW];
byte ph[NW], wake[NW], own[NW], tok[NW], dl[NW], asked[NW], tk[NW], relTick[NW], claim[NW], fAtWin[NW];
bool acting[NW], hand[NW], forced[NW];
bool sHas[NW];
byte sTok[NW], sVer[NW], sDur[NW], sSeen[NW];
/* the item the waiter's last poll saw (lib/runtime/elector-wait.ts): 0 none (the next poll writes), 1 free for it, 2 held or reserved for another */
byte seenK[NW];
int seenExp[NW];
bool wnow[NW];          /* a read showed that a write could win: it follows at once */
/* a request that lands late (its answer was lost) */
byte gOp[NW], gOwn[NW], gTok[NW], gTick[NW], gPr[NW], gObsTok[NW], gObsVer[NW], gRes[NW], gAt[NW], gDur[NW];
bool gObs[NW];
int gNow[NW];

#define GA 1
#define GR 2
#define GL 3

#define max(a, b) ((a) > (b) -> (a) : (b))
#define min(a, b) ((a) < (b) -> (a) : (b))

#if MUT_ACQUIRE_NO_SKEW
#define STALE_BEFORE(n, s) (n)
#else
#define STALE_BEFORE(n, s) ((n) - (s))
#endif
#if MUT_RENEW_NO_EXPIRY
#define RENEW_NOT_SHORTER(n, d) true
#else
#define RENEW_NOT_SHORTER(n, d) (expiresAt <= (n) + (d))
#endif
#if MUT_WATCH_OWN
#define WATCH(w) Dw[w]
#else
#define WATCH(w) max(Dw[w], sDur[w])
#endif
#if MUT_RELEASE_NO_BY
#define RELEASED_BY_ME(w) true
#else
#define RELEASED_BY_ME(w) (releasedBy == own[w])
#endif

/* elector-wait.ts's mayWin, on the item last seen: free for this worker, or past the takeover point */
#if MUT_WAIT_RESERVED
#define FREE_FOR(w) (!present || (holder == 0 && hoPrio == 0))
#else
#define FREE_FOR(w) (!present || (holder == 0 && !(hoPrio > PRw[w])))
#endif
#if MUT_WAIT_CF_EXPIRY
#define PAST_TAKEOVER(w) (T + off[w] > seenExp[w] + S)
#define SEEN_EXP expiresAt
#elif CLOCKFREE
#define PAST_TAKEOVER(w) (sHas[w] && T - sSeen[w] >= WATCH(w))
#define SEEN_EXP 0
#elif MUT_WAIT_FAR
#define PAST_TAKEOVER(w) (T + off[w] > seenExp[w] + S + Dw[w])
#define SEEN_EXP expiresAt
#else
#define PAST_TAKEOVER(w) (T + off[w] > seenExp[w] + S)
#define SEEN_EXP expiresAt
#endif
#define WRITES(w) (seenK[w] == 0 || wnow[w] || seenK[w] == 1 || PAST_TAKEOVER(w))

#define MINE(w) (present && holder == own[w] && token == tok[w])
#define ACTING(w) (acting[w] && T < dl[w])

inline printItem() {
  printf("|%d %d %d %d %d %d %d %d %d %d %d\n", present, holder, token, version, expiresAt, lastTick, releasedBy, prio, hoPrio, hoTo, durMs)
}

/* ---- the writes: lib/runtime/lease-store.ts, one atomic step each ---- */

inline stAcquire(o, n, d, tick, pr, cf, obs, oTok, oVer, at) {
  printf("@@ acquire %d %d %d %d %d %d %d %d %d %d ", o, n, d, S, tick, pr, cf, obs, oTok, oVer);
  printItem();
  ok = (!present || holder == 0) && !(hoPrio != 0 && (pr == 0 || hoPrio > pr));
  if
  :: cf -> ok = ok || (obs && present && token == oTok && version == oVer)
  :: else -> ok = ok || (present && expiresAt < STALE_BEFORE(n, S))
  fi;
  ok = ok && (tick == 0 || lastTick == 0 || lastTick < tick);
  if
  :: ok ->
     /* reservation: a strictly lower priority takes a reserved lease only once the reservation is over */
     assert(!(present && holder == 0 && hoPrio != 0 && pr < hoPrio) || at >= resvEnd);
     holder = o; token++; version++; expiresAt = n + d; durMs = d; prio = pr; hoPrio = 0; hoTo = 0; present = 1;
     assert(token > maxTok);   /* tokens never repeat or go back */
     maxTok = token
  :: else
  fi;
  printf("@@ ok %d ", ok);
  printItem()
}

inline stRenew(o, t, n, d) {
  printf("@@ renew %d %d %d %d ", o, t, n, d);
  printItem();
  ok = present && holder == o && token == t && RENEW_NOT_SHORTER(n, d) && hoPrio == 0;
  if
  :: ok -> expiresAt = n + d; version++; durMs = d
  :: else
  fi;
  printf("@@ ok %d ", ok);
  printItem()
}

inline stRelease(o, t, n, tick, by, reserve, at) {
  printf("@@ release %d %d %d %d %d %d ", o, t, n, tick, by, reserve);
  printItem();
  ok = present && holder == o && token == t && (tick == 0 || lastTick == 0 || lastTick <= tick);
  if
  :: ok ->
     holder = 0; expiresAt = n + reserve; releasedBy = by; version++;
     if
     :: tick != 0 -> assert(tick >= lastTick); lastTick = tick
     :: else
     fi;
     /* a holder's release with a request pending owes the requester one lease of this tenure from when it was sent, whatever it writes; any other ends a reservation */
     resvEnd = (hoPrio != 0 && by != OPER -> at + durMs : 0)
  :: else
  fi;
  printf("@@ ok %d ", ok);
  printItem()
}

inline stHandoff(t, req, pr) {
  printf("@@ handoff %d %d %d ", t, req, pr);
  printItem();
  ok = present && holder != 0 && token == t && prio != 0 && prio < pr && (hoPrio == 0 || hoPrio < pr);
  if
  :: ok -> hoTo = req; hoPrio = pr; version++
  :: else
  fi;
  printf("@@ ok %d ", ok);
  printItem()
}

/* ---- the network: delivered, or (a fault) lost, answer lost, landing late ---- */

inline network(w) {
  if
  :: net = 0
  :: faults < MAXF && T < FH -> net = 1; faults++
  :: faults < MAXF && T < FH -> net = 2; faults++
  :: faults < MAXF && T < FH && gOp[w] == 0 -> net = 3; faults++
  fi
}

/* A fresh owner id per attempt: the smallest of the worker's ids that nothing can still name. */
inline pickOwner(w) {
  own[w] = w * 4 + 1;
  do
  :: own[w] == holder || own[w] == releasedBy || (gOp[w] != 0 && own[w] == gOwn[w]) -> own[w]++
  :: else -> break
  od;
  assert(own[w] <= w * 4 + 4)
}

inline newInvocation(w) {
  if
  :: TICKS -> if :: tk[w] = 1 :: tk[w] = NTICK fi
  :: else
  fi
}

/*
 * A write to a resource through fencedUpdate, and one through guardedWrite: every
 * tenure makes both when it starts acting and again when it releases (possibly
 * long after its deadline: a paused holder).
 */
inline fencedWrites(w) {
  if
  :: TICKS && fence <= tok[w] -> assert(tok[w] >= maxWrote); fence = tok[w]; maxWrote = tok[w]
  :: else
  fi;
  assert(!MINE(w) || tok[w] == maxTok)
}

inline win(w) {
  printf("@@ decide %d won %d %d %d %d %d\n", w, off[w], net, token, sent + Dw[w] - M, tk[w]);
  tok[w] = token; ph[w] = LEAD; acting[w] = 1; hand[w] = 0;
  dl[w] = sent + Dw[w] - M; wake[w] = T + Pw[w];
  sHas[w] = 0; asked[w] = 0; fAtWin[w] = faults + steps; seenK[w] = 0; seenExp[w] = 0;
  assert(T < dl[w]);
  /* mutual exclusion: nobody else acts when a tenure starts acting (an operator's forceRelease of a live tenure is outside the assumptions) */
  assert(!ACTING(1 - w) || forced[1 - w]);
  forced[w] = 0;
  /* a tick recorded is never run by an invocation that saw it recorded */
  assert(tk[w] == 0 || lastTick < tk[w]);
  if :: T >= FH -> ledLate = 1 :: else fi;
  if :: T >= FH && w == HI -> hiLed = 1 :: else fi;
  fencedWrites(w)
}

/* What a poll's answer (a failed write's item, or a read) teaches: the version watched (clock-free), the item seen, maybe a handoff request. */
inline noteAnswer(w) {
  if
  :: present && !(sHas[w] && sTok[w] == token && sVer[w] == version) ->
     sHas[w] = 1; sTok[w] = token; sVer[w] = version; sSeen[w] = T; sDur[w] = durMs
  :: else
  fi;
  if
  :: FREE_FOR(w) -> seenK[w] = 1; seenExp[w] = 0
  :: else -> seenK[w] = 2; seenExp[w] = SEEN_EXP
  fi;
  if
  :: PRw[w] != 0 && present && holder != 0 && prio != 0 && prio < PRw[w] && (hoPrio == 0 || hoPrio < PRw[w]) && asked[w] != token ->
     network(w);
     if
     :: net == 0 -> stHandoff(token, w + 1, PRw[w]); asked[w] = token
     :: net == 2 -> stHandoff(token, w + 1, PRw[w])
     :: else     /* lost, or late: asking again on the next poll writes the same request */
     fi;
     net = 0
  :: else
  fi
}

/* Sleep until a takeover could succeed, at most one poll period. */
inline sleepToTakeover(w) {
  if
  :: !present -> until = 0
  :: CLOCKFREE -> until = sSeen[w] + WATCH(w) - T
  :: else -> until = expiresAt + S + 1 - (T + off[w])
  fi;
  wake[w] = T + max(1, min(Pw[w], until));
  until = 0;
  sSeen[w] = (sHas[w] -> sSeen[w] : 0); sTok[w] = (sHas[w] -> sTok[w] : 0); sVer[w] = (sHas[w] -> sVer[w] : 0); sDur[w] = (sHas[w] -> sDur[w] : 0)
}

/* A lost race: note the answer, sleep until worth trying (runAsLeader: the invocation ends, the next one writes). */
inline lose(w) {
  printf("@@ decide %d lost %d %d %d\n", w, off[w], net, tk[w]);
  if
  :: TICKS -> newInvocation(w); wake[w] = T + 1
  :: else -> noteAnswer(w); sleepToTakeover(w)
  fi
}

inline endTenure(w) {
  forced[w] = 0; acting[w] = 0; hand[w] = 0; relTick[w] = 0; claim[w] = 0; ph[w] = WAIT; tok[w] = 0; dl[w] = 0;
  wake[w] = T + Pw[w];
  if :: TICKS -> newInvocation(w); wake[w] = T + 1 :: else fi
}

inline released(w) {
  printf("@@ decide %d released %d %d %d\n", w, off[w], net, claim[w]);
  /* released with a tick means the tick is recorded */
  assert(claim[w] == 0 || lastTick >= claim[w]);
  endTenure(w)
}

inline renewRefused(w) {
  if
  :: MINE(w) && hoPrio != 0 ->
     printf("@@ decide %d handover %d %d\n", w, off[w], net);
     acting[w] = 0; hand[w] = 1; relTick[w] = 0; claim[w] = 0; ph[w] = REL; wake[w] = T
  :: MINE(w) && hoPrio == 0 && expiresAt >= nowv + Dw[w] ->
     printf("@@ decide %d kept %d %d\n", w, off[w], net);
#if MUT_REFUSED_EXTENDS
     dl[w] = max(dl[w], sent + Dw[w] - M);
#endif
     wake[w] = T + Pw[w]
  :: else ->
     printf("@@ decide %d superseded %d %d\n", w, off[w], net);
     endTenure(w)
  fi
}

inline releaseRefused(w) {
  if
  :: net == 0 && relTick[w] != 0 && MINE(w) && lastTick > relTick[w] -> ph[w] = REL2
  :: else ->
     if
     :: present && holder == 0 && token == tok[w] && RELEASED_BY_ME(w) -> released(w)
     :: else -> printf("@@ decide %d release-lost %d %d\n", w, off[w], net); endTenure(w)
     fi
  fi
}

inline sendRelease(w, tick) {
  sent = T; nowv = T + off[w];
#if MUT_RELEASE_NO_RESERVE
  rsv = (hand[w] -> Dw[w] : 0);
#else
  /* an elector keeps the lease a whole lease for a request no renew may have reported yet (runAsLeader's TICKS tenures record no priority) */
  rsv = (TICKS -> 0 : Dw[w]);
#endif
  network(w);
  if
  :: net == 0 || net == 2 -> stRelease(own[w], tok[w], nowv, tick, own[w], rsv, T)
  :: net == 3 -> gOp[w] = GL; gOwn[w] = own[w]; gTok[w] = tok[w]; gNow[w] = nowv; gTick[w] = tick; gRes[w] = rsv; gAt[w] = T; ok = 0
  :: else -> ok = 0
  fi;
  if
  :: net == 0 && ok -> released(w)
  :: net == 0 && !ok -> releaseRefused(w)
  :: net != 0 ->                       /* unknown: one consistent read */
     if
     :: MINE(w) -> printf("@@ decide %d release-failed %d %d\n", w, off[w], net); endTenure(w)
     :: else -> releaseRefused(w)
     fi
  fi
}

#define DUE(w) ((ph[w] == WAIT && wake[w] <= T) || (ph[w] == LEAD && acting[w] && (T >= dl[w] || wake[w] <= T)) || (ph[w] >= REL && wake[w] <= T))

proctype worker(byte w) {
  do
  /* contend: one acquire (elector poll, or one runAsLeader invocation with a tick) */
  :: atomic { ph[w] == WAIT && T >= wake[w] && WRITES(w) ->
       wnow[w] = 0; pickOwner(w); sent = T; nowv = T + off[w];
       ready = CLOCKFREE && sHas[w] && T - sSeen[w] >= WATCH(w);
       network(w);
       if
       :: net == 0 || net == 2 -> stAcquire(own[w], nowv, Dw[w], tk[w], PRw[w], CLOCKFREE, ready, sTok[w], sVer[w], T)
       :: net == 3 ->
          gOp[w] = GA; gOwn[w] = own[w]; gNow[w] = nowv; gTick[w] = tk[w]; gPr[w] = PRw[w]; gAt[w] = T; gDur[w] = Dw[w];
          gObs[w] = ready; gObsTok[w] = (ready -> sTok[w] : 0); gObsVer[w] = (ready -> sVer[w] : 0); ok = 0
       :: else -> ok = 0
       fi;
       if
       :: net == 0 && ok -> win(w)
       :: net == 0 && !ok -> lose(w)
       :: net != 0 ->
          if
          :: present && holder == own[w] -> win(w)
          /* neither ours nor held (lossReason undefined): the attempt failed; back off */
          :: !(present && holder == own[w]) && !(tk[w] != 0 && lastTick >= tk[w]) && !(present && holder != 0 && expiresAt >= nowv - S) ->
             printf("@@ decide %d retry %d %d %d\n", w, off[w], net, tk[w]);
             if :: TICKS -> newInvocation(w) :: else fi;
             wake[w] = T + 1
          :: else -> lose(w)
          fi
       fi;
       ok = 0; net = 0; nowv = 0; ready = 0; sent = 0
     }
  /* poll by one strongly consistent read while no write could win (elector-wait.ts); its answer may be lost */
  :: atomic { ph[w] == WAIT && T >= wake[w] && !WRITES(w) ->
       printf("@@ read ");
       printItem();
       if
       :: true ->
          noteAnswer(w);
          if
          :: WRITES(w) -> printf("@@ decide %d read-write %d 0\n", w, off[w]); wnow[w] = 1
          :: else -> printf("@@ decide %d read-wait %d 0\n", w, off[w]); sleepToTakeover(w)
          fi
       :: faults < MAXF && T < FH -> faults++; printf("@@ decide %d read-failed %d 0\n", w, off[w]); wake[w] = T + 1
       fi;
       ok = 0; net = 0
     }
  /* the local deadline passes: stop acting, release */
  :: atomic { ph[w] == LEAD && acting[w] && T >= dl[w] ->
       printf("@@ decide %d deadline %d 0\n", w, off[w]);
       /* a healthy tenure (no fault, no clock step since it began) never reaches its deadline */
       assert(faults + steps != fAtWin[w]);
       acting[w] = 0; relTick[w] = 0; claim[w] = 0; ph[w] = REL; wake[w] = T
     }
  /* renew, from the renew loop */
  :: atomic { ph[w] == LEAD && acting[w] && T < dl[w] && T >= wake[w] ->
       sent = T; nowv = T + off[w];
       network(w);
       if
       :: net == 0 || net == 2 -> stRenew(own[w], tok[w], nowv, Dw[w])
       :: net == 3 -> gOp[w] = GR; gOwn[w] = own[w]; gTok[w] = tok[w]; gNow[w] = nowv; gDur[w] = Dw[w]; gAt[w] = T; ok = 0
       :: else -> ok = 0
       fi;
       if
       :: net == 0 && ok ->
          printf("@@ decide %d renewed %d %d %d\n", w, off[w], net, max(dl[w], sent + Dw[w] - M));
          dl[w] = max(dl[w], sent + Dw[w] - M); wake[w] = T + Pw[w]
       :: net == 0 && !ok -> renewRefused(w)
       :: net != 0 ->                    /* unknown: the read only tells whether the tenure is still ours */
          if
          :: MINE(w) ->
#if MUT_SETTLE_BY_EXPIRY
             if
             :: expiresAt >= nowv + Dw[w] -> printf("@@ decide %d renewed %d %d %d\n", w, off[w], net, max(dl[w], sent + Dw[w] - M)); dl[w] = max(dl[w], sent + Dw[w] - M); wake[w] = T + Pw[w]
             :: else -> wake[w] = T + 1
             fi
#else
             printf("@@ decide %d renew-unknown %d %d\n", w, off[w], net);
             wake[w] = T + 1
#endif
          :: else -> renewRefused(w)
          fi
       fi;
       ok = 0; net = 0; nowv = 0; sent = 0
     }
  /* the work ends when a renew is due (runAsLeader: the job succeeded; its release records the tick) */
  :: atomic { JOBS && ph[w] == LEAD && acting[w] && T < dl[w] && T >= wake[w] ->
       printf("@@ decide %d done %d 0\n", w, off[w]);
       acting[w] = 0; relTick[w] = tk[w]; claim[w] = tk[w]; ph[w] = REL; wake[w] = T
     }
  :: atomic { ph[w] == REL && T >= wake[w] -> fencedWrites(w); sendRelease(w, relTick[w]); ok = 0; net = 0; nowv = 0; sent = 0 }
  /* the second write, after only the tick clause failed */
  :: atomic { ph[w] == REL2 -> relTick[w] = 0; sendRelease(w, 0); ok = 0; net = 0; nowv = 0; sent = 0 }
  /* a crash (and restart) instead of the next step that is due */
  :: atomic { CRASH && faults < MAXF && T < FH && DUE(w) ->
       printf("@@ decide %d crash %d 0\n", w, off[w]);
       faults++; forced[w] = 0; acting[w] = 0; hand[w] = 0; relTick[w] = 0; claim[w] = 0; ph[w] = WAIT; tok[w] = 0; dl[w] = 0;
       sHas[w] = 0; sTok[w] = 0; sVer[w] = 0; sSeen[w] = 0; sDur[w] = 0; asked[w] = 0; wake[w] = T + 1;
       seenK[w] = 0; seenExp[w] = 0; wnow[w] = 0;
       newInvocation(w)
     }
  od
}


inline landLate(w) {
  if
  :: gOp[w] == GA -> stAcquire(gOwn[w], gNow[w], gDur[w], gTick[w], gPr[w], CLOCKFREE, gObs[w], gObsTok[w], gObsVer[w], gAt[w])
  :: gOp[w] == GR -> stRenew(gOwn[w], gTok[w], gNow[w], gDur[w])
  :: gOp[w] == GL -> stRelease(gOwn[w], gTok[w], gNow[w], gTick[w], gOwn[w], gRes[w], gAt[w])
  fi;
  gOp[w] = 0; gOwn[w] = 0; gTok[w] = 0; gNow[w] = 0; gTick[w] = 0; gPr[w] = 0; gObs[w] = 0; gObsTok[w] = 0; gObsVer[w] = 0; gRes[w] = 0; gAt[w] = 0; gDur[w] = 0;
  ok = 0
}

/* Wall clocks step. Wall-clock runs keep two workers within S; clock-free runs range over [-OFFMAX, OFFMAX]. */
inline clockStep(w) {
  steps++;
  if
  :: off[w] > -OFFMAX -> off[w] = -OFFMAX
  :: off[w] > -OFFMAX + 1 -> off[w] = off[w] - 1
  :: off[w] < OFFMAX -> off[w] = OFFMAX
  :: off[w] < OFFMAX - 1 -> off[w] = off[w] + 1
  fi;
  if
  :: !CLOCKFREE -> off[1 - w] = (off[w] - off[1 - w] > S -> off[w] - S : (off[1 - w] - off[w] > S -> off[w] + S : off[1 - w]))
  :: else
  fi
}

proctype environment() {
  do
  :: atomic { gOp[0] != 0 && T < FH -> landLate(0) }
  :: atomic { gOp[1] != 0 && T < FH -> landLate(1) }
  :: atomic { OPERATOR && faults < MAXF && T < FH && present && holder != 0 ->
       faults++; printf("@@ decide 9 force-release\n");
       forced[0] = forced[0] || MINE(0); forced[1] = forced[1] || MINE(1);
       stRelease(holder, token, T, 0, OPER, 0, T); ok = 0 }
  :: atomic { steps < NSTEP && T < FH -> clockStep(0) }
  :: atomic { steps < NSTEP && T < FH -> clockStep(1) }
  /* time advances only when no worker has something due now */
  :: atomic { T < H && !DUE(0) && !DUE(1) ->
       T++;
       printf("@@ time %d\n", T);
       if
       :: T >= FH -> gOp[0] = 0; gOp[1] = 0;
          gOwn[0] = 0; gTok[0] = 0; gNow[0] = 0; gTick[0] = 0; gPr[0] = 0; gObs[0] = 0; gObsTok[0] = 0; gObsVer[0] = 0; gRes[0] = 0; gAt[0] = 0; gDur[0] = 0;
          gOwn[1] = 0; gTok[1] = 0; gNow[1] = 0; gTick[1] = 0; gPr[1] = 0; gObs[1] = 0; gObsTok[1] = 0; gObsVer[1] = 0; gRes[1] = 0; gAt[1] = 0; gDur[1] = 0;
          if :: ACTING(0) || ACTING(1) -> ledLate = 1 :: else fi;
          if :: ACTING(HI) -> hiLed = 1 :: else fi
       :: else
       fi
     }
  od
}

/* The renew period as the loops validate it: 2 * period < D - M (elect's mutant: D / 3 against D). */
#if MUT_ELECT_PERIOD
#define PERIOD(d) ((d) / 3)
#define PERIOD_OK(d, p) (2 * (p) < (d))
#else
#define PERIOD(d) max(1, ((d) - M) / 3)
#define PERIOD_OK(d, p) (2 * (p) < (d) - M)
#endif

init {
  atomic {
    Dw[0] = D0; Dw[1] = D1; PRw[0] = PR0; PRw[1] = PR1;
#ifdef P0
    Pw[0] = P0;
#else
    Pw[0] = PERIOD(D0);
#endif
#ifdef P1
    Pw[1] = P1;
#else
    Pw[1] = PERIOD(D1);
#endif
    assert(PERIOD_OK(D0, Pw[0]) && PERIOD_OK(D1, Pw[1]));
    assert(D0 > M + S && D1 > M + S);
    if
    :: CLOCKFREE && !CFBEHIND -> skip
    :: CLOCKFREE && CFBEHIND -> if :: skip :: off[1] = -OFFMAX fi
    :: else -> if
       :: off[1] = -S
       :: off[1] = 0
       :: off[1] = S
       fi
    fi;
    newInvocation(0); newInvocation(1);
    run environment();
    run worker(0);
    run worker(1)
  }
}

#ifdef LIVE_ANY
ltl live { <> ledLate }
#endif
#ifdef LIVE_HI
ltl live { <> hiLed }
#endif
