//! The generator's random numbers: a hand-written SplitMix64, so the same seed gives the same
//! bytes with any version of any dependency (the `rand` crate does not promise stable streams).
//! Also the ID shapes AWS uses (`AROA…`, `ASIA…`, UUIDs, instance IDs), all drawn from here.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for synthetic logs.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl Rng {
    /// A generator for `seed`, with `stream` separating independent uses of one seed.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng {
            state: seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F),
        };
        // Decorrelate nearby seeds before the first draw.
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`; `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }

    /// An index in `[0, n)`; 0 when `n` is 0.
    pub fn index(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One of a non-empty list of names, uniformly.
    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.index(items.len())]
    }

    /// An index drawn with the given weights (all zero → 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Exponentially distributed with the given mean (gaps between independent arrivals).
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// A count with the given mean: Poisson for small means, rounded normal-ish for big ones.
    pub fn count(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean < 30.0 {
            // Knuth's method: fine for the small means used per work session.
            let l = (-mean).exp();
            let mut k = 0;
            let mut p = 1.0;
            loop {
                p *= self.f64();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
        // Sum of uniforms approximates a normal; good enough for large bursts.
        let z = (0..4).map(|_| self.f64()).sum::<f64>() - 2.0;
        (mean + z * mean.sqrt() * 1.7).round().max(0.0) as u64
    }

    fn chars(&mut self, alphabet: &[u8], n: usize, out: &mut String) {
        for _ in 0..n {
            out.push(alphabet[self.index(alphabet.len())] as char);
        }
    }

    /// `prefix` followed by `n` characters of AWS's unique-ID alphabet (`AROA…`, `ASIA…`).
    pub fn aws_id(&mut self, prefix: &str, n: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + n);
        s.push_str(prefix);
        self.chars(UPPER_ALNUM, n, &mut s);
        s
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.chars(HEX, n, &mut s);
        s
    }

    /// `n` mixed-case letters and digits (CloudTrail file name suffixes).
    pub fn alnum(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.chars(MIXED_ALNUM, n, &mut s);
        s
    }

    /// A random (version 4 shaped) UUID, as CloudTrail uses for `eventID` and `requestID`.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// An EC2 instance ID (`i-` and 17 hex digits).
    pub fn instance_id(&mut self) -> String {
        format!("i-0{}", self.hex(16))
    }
}

/// A stable 64-bit hash of a label, to derive independent streams and names from one seed.
pub fn label_hash(label: &str) -> u64 {
    // FNV-1a: stable forever, unlike std's randomised hashers.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 1);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
    }

    #[test]
    fn ids_have_the_shapes_aws_uses() {
        let mut r = Rng::new(1, 0);
        let key = r.aws_id("ASIA", 16);
        assert_eq!(key.len(), 20);
        assert!(key.starts_with("ASIA"));
        let role = r.aws_id("AROA", 17);
        assert_eq!(role.len(), 21);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(r.instance_id().len(), 19);
    }

    #[test]
    fn counts_average_to_their_mean() {
        let mut r = Rng::new(3, 0);
        let n = 20_000;
        let small: u64 = (0..n).map(|_| r.count(2.5)).sum();
        let big: u64 = (0..n).map(|_| r.count(80.0)).sum();
        assert!((small as f64 / n as f64 - 2.5).abs() < 0.1);
        assert!((big as f64 / n as f64 - 80.0).abs() < 2.0);
    }
}
