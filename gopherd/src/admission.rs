//! Who gets a connection slot, fairly. A connection costs little while it
//! is still sending its request line (or lingering after its answer), so
//! it only *waits*: waiting connections are bounded per client and
//! overall, and when either bound is reached the longest-waiting
//! connection of the client holding the most is dropped to make room, so
//! a new client always gets in and one address cannot starve the others.
//! A slot to be *answered* is taken only once the request line is
//! complete, bounded overall (`max_connections`) and per client.
//!
//! A client is an IPv4 address, or an IPv6 /64 network (one host usually
//! has a whole /64 to pick addresses from).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The part of a client's address that identifies it for fairness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key of `peer`: its IPv4 address (IPv4-mapped IPv6 included), or
    /// its IPv6 /64.
    pub fn of(peer: SocketAddr) -> ClientKey {
        match peer.ip() {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    ClientKey(IpAddr::V6(Ipv6Addr::new(
                        s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                    )))
                }
            },
            v4 => ClientKey(v4),
        }
    }
}

/// The bounds [`Admission`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Connections being answered at once.
    pub max_answering: usize,
    /// Connections waiting (for their request line, or lingering) at once.
    pub max_waiting: usize,
    /// Connections one client may have waiting, and being answered; 0 for
    /// no per-client bound.
    pub max_per_client: usize,
}

/// Why a connection was not given a slot to be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Every slot is taken.
    Busy,
    /// This client already has as many requests being answered as it may.
    ClientBusy,
}

#[derive(Default)]
struct Client {
    /// Waiting connections, the first to drop first.
    waiting: VecDeque<Waiter>,
    answering: usize,
}

struct Waiter {
    id: u64,
    evict: Arc<Notify>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    clients: HashMap<ClientKey, Client>,
    waiting: usize,
    answering: usize,
    evicted: u64,
}

impl State {
    fn client(&mut self, key: ClientKey) -> &mut Client {
        self.clients.entry(key).or_default()
    }

    /// Drops the first waiting connection of `key`, if it has one.
    fn evict_from(&mut self, key: ClientKey) -> bool {
        let Some(client) = self.clients.get_mut(&key) else {
            return false;
        };
        let Some(waiter) = client.waiting.pop_front() else {
            return false;
        };
        waiter.evict.notify_one();
        self.waiting -= 1;
        self.evicted += 1;
        self.forget_if_idle(key);
        true
    }

    /// The client with the most waiting connections; between equals, the
    /// one whose first in line has waited longest.
    fn greediest(&self) -> Option<ClientKey> {
        self.clients
            .iter()
            .filter_map(|(k, c)| Some((k, c.waiting.len(), c.waiting.front()?.id)))
            .max_by_key(|(_, count, first)| (*count, std::cmp::Reverse(*first)))
            .map(|(k, _, _)| *k)
    }

    fn forget_if_idle(&mut self, key: ClientKey) {
        if let Some(c) = self.clients.get(&key)
            && c.waiting.is_empty()
            && c.answering == 0
        {
            self.clients.remove(&key);
        }
    }

    fn remove_waiter(&mut self, key: ClientKey, id: u64) -> bool {
        let Some(client) = self.clients.get_mut(&key) else {
            return false;
        };
        let Some(i) = client.waiting.iter().position(|w| w.id == id) else {
            return false;
        };
        client.waiting.remove(i);
        self.waiting -= 1;
        true
    }
}

/// The server's connection slots.
pub struct Admission {
    bounds: Bounds,
    state: Mutex<State>,
}

/// Where a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Waiting,
    Answering,
    Gone,
}

/// One admitted connection's place. Dropping it frees the place.
pub struct Ticket {
    admission: Arc<Admission>,
    key: ClientKey,
    id: u64,
    stage: Stage,
    evict: Arc<Notify>,
}

impl Admission {
    /// Slots within `bounds`.
    pub fn new(bounds: Bounds) -> Arc<Admission> {
        Arc::new(Admission {
            bounds,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits a new connection from `peer` as waiting, dropping another
    /// waiting connection first if a bound requires it: the client's own
    /// longest-waiting one when it is at its bound, else the
    /// longest-waiting one of the client holding the most.
    pub fn admit(self: &Arc<Self>, peer: SocketAddr) -> Ticket {
        let key = ClientKey::of(peer);
        let evict = Arc::new(Notify::new());
        let mut state = self.state();
        let per_client = self.bounds.max_per_client;
        let own = state.clients.get(&key).map_or(0, |c| c.waiting.len());
        if per_client > 0 && own >= per_client {
            state.evict_from(key);
        }
        while state.waiting >= self.bounds.max_waiting.max(1) {
            match state.greediest() {
                Some(greediest) => {
                    state.evict_from(greediest);
                }
                None => break,
            }
        }
        state.next_id += 1;
        let id = state.next_id;
        state.waiting += 1;
        state.client(key).waiting.push_back(Waiter {
            id,
            evict: evict.clone(),
        });
        Ticket {
            admission: self.clone(),
            key,
            id,
            stage: Stage::Waiting,
            evict,
        }
    }

    /// Connections waiting now.
    pub fn waiting(&self) -> usize {
        self.state().waiting
    }

    /// Connections being answered now.
    pub fn answering(&self) -> usize {
        self.state().answering
    }

    /// Waiting connections dropped to make room, since the start.
    pub fn evicted(&self) -> u64 {
        self.state().evicted
    }
}

impl Ticket {
    /// Completes when this connection was dropped to make room for
    /// another (only ever while it waits).
    pub async fn evicted(&self) {
        self.evict.notified().await
    }

    /// Moves from waiting to being answered, if a slot is free for it.
    /// A refused connection stays waiting.
    pub fn answer(&mut self) -> Result<(), Refusal> {
        let admission = self.admission.clone();
        let mut state = admission.state();
        if self.stage != Stage::Waiting || !state.remove_waiter(self.key, self.id) {
            // Evicted meanwhile: it is no longer counted anywhere.
            self.stage = Stage::Gone;
            return Err(Refusal::Busy);
        }
        let bounds = admission.bounds;
        let answering = state.client(self.key).answering;
        let refusal = if state.answering >= bounds.max_answering {
            Some(Refusal::Busy)
        } else if bounds.max_per_client > 0 && answering >= bounds.max_per_client {
            Some(Refusal::ClientBusy)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            state.waiting += 1;
            state.client(self.key).waiting.push_front(Waiter {
                id: self.id,
                evict: self.evict.clone(),
            });
            return Err(refusal);
        }
        state.answering += 1;
        state.client(self.key).answering += 1;
        self.stage = Stage::Answering;
        Ok(())
    }

    /// Gives up the answering slot and waits again (to linger before
    /// closing), first in line to be dropped.
    pub fn linger(&mut self) {
        if self.stage != Stage::Answering {
            return;
        }
        let admission = self.admission.clone();
        let mut state = admission.state();
        state.answering -= 1;
        state.waiting += 1;
        let client = state.client(self.key);
        client.answering -= 1;
        client.waiting.push_front(Waiter {
            id: self.id,
            evict: self.evict.clone(),
        });
        self.stage = Stage::Waiting;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let admission = self.admission.clone();
        let mut state = admission.state();
        match self.stage {
            Stage::Waiting => {
                state.remove_waiter(self.key, self.id);
            }
            Stage::Answering => {
                state.answering -= 1;
                state.client(self.key).answering -= 1;
            }
            Stage::Gone => {}
        }
        state.forget_if_idle(self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn peer(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn evicted(ticket: &Ticket) -> bool {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(1), ticket.evicted())
                .await
                .is_ok()
        })
    }

    fn bounds(answering: usize, waiting: usize, per_client: usize) -> Bounds {
        Bounds {
            max_answering: answering,
            max_waiting: waiting,
            max_per_client: per_client,
        }
    }

    #[test]
    fn ipv6_clients_are_their_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(
            ClientKey::of(peer("[2001:db8:1:2:aaaa::1]:5")),
            ClientKey::of(peer("[2001:db8:1:2:bbbb::9]:6"))
        );
        assert_ne!(
            ClientKey::of(peer("[2001:db8:1:2::1]:5")),
            ClientKey::of(peer("[2001:db8:1:3::1]:5"))
        );
        assert_eq!(
            ClientKey::of(peer("[::ffff:10.0.0.1]:5")),
            ClientKey::of(peer("10.0.0.1:7"))
        );
    }

    #[test]
    fn a_client_at_its_bound_drops_its_own_oldest_waiting_connection() {
        let slots = Admission::new(bounds(10, 100, 2));
        let a1 = slots.admit(peer("10.0.0.1:1"));
        let a2 = slots.admit(peer("10.0.0.1:2"));
        let b1 = slots.admit(peer("10.0.0.2:1"));
        let a3 = slots.admit(peer("10.0.0.1:3"));
        assert!(evicted(&a1), "the oldest of the greedy client goes");
        assert!(!evicted(&a2) && !evicted(&a3) && !evicted(&b1));
        assert_eq!(slots.waiting(), 3);
        drop((a1, a2, a3, b1));
        assert_eq!(slots.waiting(), 0);
    }

    #[test]
    fn when_all_are_waiting_the_client_holding_most_gives_way() {
        let slots = Admission::new(bounds(10, 3, 0));
        let a1 = slots.admit(peer("10.0.0.1:1"));
        let b1 = slots.admit(peer("10.0.0.2:1"));
        let b2 = slots.admit(peer("10.0.0.2:2"));
        let c1 = slots.admit(peer("10.0.0.3:1"));
        assert!(evicted(&b1), "b holds two of three");
        assert!(!evicted(&a1) && !evicted(&b2) && !evicted(&c1));
        assert_eq!((slots.waiting(), slots.evicted()), (3, 1));
    }

    #[test]
    fn between_equal_clients_the_longest_waiting_gives_way() {
        for order in [[1, 2, 3], [3, 2, 1], [2, 3, 1]] {
            let slots = Admission::new(bounds(10, 3, 0));
            let tickets: Vec<Ticket> = order
                .iter()
                .map(|i| slots.admit(peer(&format!("10.0.0.{i}:1"))))
                .collect();
            let _late = slots.admit(peer("10.0.0.9:1"));
            let gone: Vec<bool> = tickets.iter().map(evicted).collect();
            assert_eq!(gone, [true, false, false], "{order:?}");
        }
    }

    #[test]
    fn answering_slots_are_bounded_overall_and_per_client() {
        let slots = Admission::new(bounds(3, 100, 2));
        let mut a1 = slots.admit(peer("10.0.0.1:1"));
        let mut a2 = slots.admit(peer("10.0.0.1:2"));
        assert_eq!(a1.answer(), Ok(()));
        assert_eq!(a2.answer(), Ok(()));
        let mut a3 = slots.admit(peer("10.0.0.1:3"));
        let mut b1 = slots.admit(peer("10.0.0.2:1"));
        let mut c1 = slots.admit(peer("10.0.0.3:1"));
        assert_eq!(a3.answer(), Err(Refusal::ClientBusy));
        assert_eq!(b1.answer(), Ok(()));
        assert_eq!(c1.answer(), Err(Refusal::Busy));
        assert_eq!((slots.answering(), slots.waiting()), (3, 2));
        a1.linger();
        assert_eq!(c1.answer(), Ok(()));
        drop(b1);
        assert_eq!(a3.answer(), Ok(()));
        drop((a1, a2, a3, c1));
        assert_eq!((slots.answering(), slots.waiting()), (0, 0));
        assert!(slots.state().clients.is_empty(), "nothing left behind");
    }

    #[test]
    fn lingering_connections_are_dropped_before_waiting_requests() {
        let slots = Admission::new(bounds(10, 2, 0));
        let mut a1 = slots.admit(peer("10.0.0.1:1"));
        let a2 = slots.admit(peer("10.0.0.1:2"));
        a1.answer().unwrap();
        a1.linger();
        let b1 = slots.admit(peer("10.0.0.2:1"));
        assert!(evicted(&a1), "the answered one goes first");
        assert!(!evicted(&a2) && !evicted(&b1));
    }

    #[test]
    fn an_evicted_connection_cannot_be_answered() {
        let slots = Admission::new(bounds(10, 1, 0));
        let mut a1 = slots.admit(peer("10.0.0.1:1"));
        let _b1 = slots.admit(peer("10.0.0.2:1"));
        assert_eq!(a1.answer(), Err(Refusal::Busy));
        drop(a1);
        assert_eq!((slots.answering(), slots.waiting()), (0, 1));
    }
}
