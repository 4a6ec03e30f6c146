//! Integers as circuits: two's complement words, least significant bit
//! first, each as wide as the range of values it can take, with exact
//! addition, multiplication, comparison and floor division by a constant.
//!
//! Every number of the language is one such word: integers as themselves,
//! decimals and money as integers scaled by a power of ten, dates as days
//! since 1970-01-01. Each word carries an interval `[lo, hi]` that holds its
//! value in every model, computed from the intervals of its operands: an
//! operation's result gets just the bits its interval needs, so nothing
//! wraps around (the arithmetic is exact, not modular) and no bit is spent
//! on values that cannot occur. A money fact below `2^60` units times a
//! percentage is a word of some 67 bits, not 128; a comparison whose
//! operands' intervals do not meet is a constant and costs no clause.
//!
//! Where an interval would leave `i128`, the operation returns `None` and the
//! encoder says the construct is not encoded exactly.

use super::sat::{Sat, L};

/// A word: its bits (least significant first; the last is the sign) and
/// the interval its value lies in.
#[derive(Clone, Debug)]
pub(crate) struct Word {
    bits: Vec<L>,
    lo: i128,
    hi: i128,
}

/// Bits needed for every value of `[lo, hi]` in two's complement (1 to 128).
fn width_for(lo: i128, hi: i128) -> usize {
    let need = |v: i128| {
        let magnitude = if v < 0 { !v } else { v };
        129 - magnitude.leading_zeros() as usize
    };
    need(lo).max(need(hi)).min(128)
}

impl Word {
    /// The least value it can take.
    pub(crate) fn lo(&self) -> i128 {
        self.lo
    }

    /// The greatest value it can take.
    pub(crate) fn hi(&self) -> i128 {
        self.hi
    }

    /// Bit `i`, sign-extended past the top.
    fn bit(&self, i: usize, sat: &Sat) -> L {
        match self.bits.get(i) {
            Some(&l) => l,
            None => self.sign(sat),
        }
    }

    /// The sign bit.
    pub(crate) fn sign(&self, sat: &Sat) -> L {
        if self.lo >= 0 {
            return sat.f();
        }
        if self.hi < 0 {
            return sat.t();
        }
        self.bits.last().copied().unwrap_or_else(|| sat.f())
    }

    /// The low `w` bits, sign-extended.
    fn extended(&self, w: usize, sat: &Sat) -> Vec<L> {
        (0..w).map(|i| self.bit(i, sat)).collect()
    }
}

/// A word from bits whose value lies in `[lo, hi]` in every model: the bits
/// are cut or sign-extended to the width of the interval (exact, as the
/// value fits), and a one-value interval becomes that constant.
fn make(sat: &Sat, bits: Vec<L>, lo: i128, hi: i128) -> Word {
    if lo == hi {
        return constant(sat, lo);
    }
    let w = width_for(lo, hi);
    let word = Word { bits, lo, hi };
    Word {
        bits: word.extended(w, sat),
        lo,
        hi,
    }
}

/// A constant word.
pub(crate) fn constant(sat: &Sat, value: i128) -> Word {
    let w = width_for(value, value);
    Word {
        bits: (0..w)
            .map(|i| sat.constant((value >> i) & 1 == 1))
            .collect(),
        lo: value,
        hi: value,
    }
}

/// A word that is `1` when `l` holds, else `0`.
pub(crate) fn of_bit(sat: &Sat, l: L) -> Word {
    make(sat, vec![l, sat.f()], 0, 1)
}

/// A fresh word whose value lies in `[-2^bits, 2^bits)`: `bits` free
/// literals and a free sign.
pub(crate) fn fresh(sat: &mut Sat, bits: usize) -> Word {
    let bits = bits.min(127);
    let word: Vec<L> = (0..=bits).map(|_| sat.fresh()).collect();
    let hi = (1i128 << bits) - 1;
    Word {
        bits: word,
        lo: -hi - 1,
        hi,
    }
}

/// A fresh word required to lie in `[lo, hi]` (a hard constraint: for the
/// domain of an input).
pub(crate) fn fresh_within(sat: &mut Sat, lo: i128, hi: i128) -> Word {
    let w = width_for(lo, hi);
    let bits: Vec<L> = (0..w).map(|_| sat.fresh()).collect();
    let (full_lo, full_hi) = if w >= 128 {
        (i128::MIN, i128::MAX)
    } else {
        (-(1i128 << (w - 1)), (1i128 << (w - 1)) - 1)
    };
    let word = Word {
        bits,
        lo: full_lo,
        hi: full_hi,
    };
    let inside = within(sat, &word, lo, hi);
    sat.require(inside);
    Word { lo, hi, ..word }
}

/// The value of a word in the last model.
pub(crate) fn value(sat: &Sat, word: &Word) -> i128 {
    if let Some(v) = constant_value(sat, word) {
        return v;
    }
    let w = word.bits.len();
    let mut acc = 0i128;
    for (i, &l) in word.bits.iter().enumerate() {
        if !sat.value(l) {
            continue;
        }
        if i + 1 == w {
            acc = acc.wrapping_add(if i >= 127 { i128::MIN } else { -(1i128 << i) });
        } else {
            acc |= 1i128 << i;
        }
    }
    acc
}

/// The constant value of a word, if it has one.
pub(crate) fn constant_value(sat: &Sat, word: &Word) -> Option<i128> {
    if word.lo == word.hi {
        return Some(word.lo);
    }
    let w = word.bits.len();
    let mut acc = 0i128;
    for (i, &l) in word.bits.iter().enumerate() {
        if !sat.value_of_constant(l)? {
            continue;
        }
        if i + 1 == w {
            acc = acc.wrapping_add(if i >= 127 { i128::MIN } else { -(1i128 << i) });
        } else {
            acc |= 1i128 << i;
        }
    }
    Some(acc)
}

/// `a + b + carry` on `w` bits of each, the carry out of the top dropped.
fn add_bits(sat: &mut Sat, a: &[L], b: &[L], mut carry: L) -> Vec<L> {
    let mut out = Vec::with_capacity(a.len());
    for (&x, &y) in a.iter().zip(b) {
        let xy = sat.xor2(x, y);
        out.push(sat.xor2(xy, carry));
        let both = sat.and2(x, y);
        let propagated = sat.and2(xy, carry);
        carry = sat.or2(both, propagated);
    }
    out
}

/// `a + b`.
pub(crate) fn add(sat: &mut Sat, a: &Word, b: &Word) -> Option<Word> {
    let lo = a.lo.checked_add(b.lo)?;
    let hi = a.hi.checked_add(b.hi)?;
    if lo == hi {
        return Some(constant(sat, lo));
    }
    let w = width_for(lo, hi);
    let (x, y) = (a.extended(w, sat), b.extended(w, sat));
    let zero = sat.f();
    let bits = add_bits(sat, &x, &y, zero);
    Some(make(sat, bits, lo, hi))
}

/// `a - b`.
pub(crate) fn sub(sat: &mut Sat, a: &Word, b: &Word) -> Option<Word> {
    let lo = a.lo.checked_sub(b.hi)?;
    let hi = a.hi.checked_sub(b.lo)?;
    if lo == hi {
        return Some(constant(sat, lo));
    }
    let w = width_for(lo, hi);
    let x = a.extended(w, sat);
    let not_y: Vec<L> = b.extended(w, sat).into_iter().map(|l| !l).collect();
    let one = sat.t();
    let bits = add_bits(sat, &x, &not_y, one);
    Some(make(sat, bits, lo, hi))
}

/// `-a`.
pub(crate) fn neg(sat: &mut Sat, a: &Word) -> Option<Word> {
    let zero = constant(sat, 0);
    sub(sat, &zero, a)
}

/// The low `w` bits of `a × 2^by`.
fn shifted(sat: &Sat, a: &Word, by: usize, w: usize) -> Vec<L> {
    (0..w)
        .map(|i| if i < by { sat.f() } else { a.bit(i - by, sat) })
        .collect()
}

/// `a × k` for a constant `k`.
pub(crate) fn mul_constant(sat: &mut Sat, a: &Word, k: i128) -> Option<Word> {
    let (p, q) = (a.lo.checked_mul(k)?, a.hi.checked_mul(k)?);
    let (lo, hi) = (p.min(q), p.max(q));
    if lo == hi {
        return Some(constant(sat, lo));
    }
    if k == 1 {
        return Some(a.clone());
    }
    let w = width_for(lo, hi);
    let magnitude = k.unsigned_abs();
    let mut acc: Vec<L> = vec![sat.f(); w];
    for i in 0..w.min(128) {
        if (magnitude >> i) & 1 == 1 {
            let term = shifted(sat, a, i, w);
            let zero = sat.f();
            acc = add_bits(sat, &acc, &term, zero);
        }
    }
    if k < 0 {
        // Two's complement negation modulo 2^w: exact, as the result fits.
        let not_acc: Vec<L> = acc.iter().map(|&l| !l).collect();
        let zero: Vec<L> = vec![sat.f(); w];
        let one = sat.t();
        acc = add_bits(sat, &zero, &not_acc, one);
    }
    Some(make(sat, acc, lo, hi))
}

/// `a × b` (shift and add over the narrower operand; exact).
pub(crate) fn mul(sat: &mut Sat, a: &Word, b: &Word) -> Option<Word> {
    if let Some(k) = constant_value(sat, b) {
        return mul_constant(sat, a, k);
    }
    if let Some(k) = constant_value(sat, a) {
        return mul_constant(sat, b, k);
    }
    let corners = [
        a.lo.checked_mul(b.lo)?,
        a.lo.checked_mul(b.hi)?,
        a.hi.checked_mul(b.lo)?,
        a.hi.checked_mul(b.hi)?,
    ];
    let lo = corners.iter().copied().min().unwrap_or(0);
    let hi = corners.iter().copied().max().unwrap_or(0);
    let (a, b) = if b.bits.len() <= a.bits.len() {
        (a, b)
    } else {
        (b, a)
    };
    let w = width_for(lo, hi);
    let wb = b.bits.len();
    let mut acc: Vec<L> = vec![sat.f(); w];
    // b = Σ b_i 2^i (i below the sign) − sign · 2^(wb−1).
    for i in 0..wb.saturating_sub(1).min(w) {
        let b_i = b.bit(i, sat);
        let term: Vec<L> = shifted(sat, a, i, w)
            .into_iter()
            .map(|l| sat.and2(b_i, l))
            .collect();
        let zero = sat.f();
        acc = add_bits(sat, &acc, &term, zero);
    }
    let sign = b.sign(sat);
    if sat.value_of_constant(sign) != Some(false) && wb >= 1 && wb - 1 < w {
        let term: Vec<L> = shifted(sat, a, wb - 1, w)
            .into_iter()
            .map(|l| !sat.and2(sign, l))
            .collect();
        let one = sat.t();
        acc = add_bits(sat, &acc, &term, one);
    }
    Some(make(sat, acc, lo, hi))
}

/// `if c then a else b`, bit by bit.
pub(crate) fn ite(sat: &mut Sat, c: L, a: &Word, b: &Word) -> Word {
    match sat.value_of_constant(c) {
        Some(true) => return a.clone(),
        Some(false) => return b.clone(),
        None => {}
    }
    let (lo, hi) = (a.lo.min(b.lo), a.hi.max(b.hi));
    let w = width_for(lo, hi);
    let bits = (0..w)
        .map(|i| {
            let (x, y) = (a.bit(i, sat), b.bit(i, sat));
            sat.ite(c, x, y)
        })
        .collect();
    make(sat, bits, lo, hi)
}

/// `a = b`.
pub(crate) fn eq(sat: &mut Sat, a: &Word, b: &Word) -> L {
    if a.hi < b.lo || b.hi < a.lo {
        return sat.f();
    }
    if a.lo == a.hi && b.lo == b.hi {
        return sat.t();
    }
    let w = a.bits.len().max(b.bits.len());
    let mut acc = sat.t();
    for i in 0..w {
        let (x, y) = (a.bit(i, sat), b.bit(i, sat));
        let same = sat.iff(x, y);
        acc = sat.and2(acc, same);
    }
    acc
}

/// `a < b`, signed.
pub(crate) fn lt(sat: &mut Sat, a: &Word, b: &Word) -> L {
    if a.hi < b.lo {
        return sat.t();
    }
    if a.lo >= b.hi {
        return sat.f();
    }
    let w = a.bits.len().max(b.bits.len());
    // Unsigned comparison of the bits below the sign, from the bottom up.
    let mut less = sat.f();
    for i in 0..w - 1 {
        let (x, y) = (a.bit(i, sat), b.bit(i, sat));
        let here = sat.and2(!x, y);
        let same = sat.iff(x, y);
        let below = sat.and2(same, less);
        less = sat.or2(here, below);
    }
    let (sa, sb) = (a.bit(w - 1, sat), b.bit(w - 1, sat));
    // Negative below non-negative; equal signs compare as unsigned.
    let neg_pos = sat.and2(sa, !sb);
    let same_sign = sat.iff(sa, sb);
    let by_bits = sat.and2(same_sign, less);
    sat.or2(neg_pos, by_bits)
}

/// `a ≤ b`, signed.
pub(crate) fn le(sat: &mut Sat, a: &Word, b: &Word) -> L {
    !lt(sat, b, a)
}

/// `lo ≤ a ≤ hi` for constants.
pub(crate) fn within(sat: &mut Sat, a: &Word, lo: i128, hi: i128) -> L {
    if lo > hi {
        return sat.f();
    }
    let (lo, hi) = (constant(sat, lo), constant(sat, hi));
    let above = le(sat, &lo, a);
    let below = le(sat, a, &hi);
    sat.and2(above, below)
}

/// `a`, known by the caller to lie in `[lo, hi]` by its construction (a
/// remainder, a day of the year): its interval narrowed, its bits cut to
/// fit. Only for values that cannot fall outside in any model.
pub(crate) fn narrow(sat: &Sat, a: &Word, lo: i128, hi: i128) -> Word {
    let (lo, hi) = (lo.max(a.lo), hi.min(a.hi));
    if lo > hi {
        return a.clone();
    }
    make(sat, a.bits.clone(), lo, hi)
}

/// The bits of a word (a key for caches of circuits built on it).
pub(crate) fn key(a: &Word) -> Vec<L> {
    a.bits.clone()
}

/// The low `bits` bits of `a`, as a word of that width: equal to `a`
/// whenever `a` fits in them (the caller records an error otherwise).
pub(crate) fn truncate(sat: &Sat, a: &Word, bits: usize) -> Word {
    if a.bits.len() <= bits || bits == 0 {
        return a.clone();
    }
    let hi = if bits >= 128 {
        i128::MAX
    } else {
        (1i128 << (bits - 1)) - 1
    };
    let lo = -hi - 1;
    let cut = a.extended(bits, sat);
    make(sat, cut, lo, hi)
}

/// `⌊a / k⌋` for a constant `k > 0`, as a circuit that computes the
/// quotient from `a` (long division by a constant: at each step the
/// remainder is compared with `k` and `k` subtracted when it fits), so the
/// solver propagates it forward instead of searching for a quotient.
pub(crate) fn floor_div(sat: &mut Sat, a: &Word, k: i128) -> Word {
    if k <= 1 {
        return a.clone();
    }
    if let Some(v) = constant_value(sat, a) {
        return constant(sat, v.div_euclid(k));
    }
    let (lo, hi) = (a.lo.div_euclid(k), a.hi.div_euclid(k));
    if k.count_ones() == 1 {
        // A power of two: the arithmetic shift is the floor.
        let by = k.trailing_zeros() as usize;
        let w = a.bits.len();
        let bits = (by..w.max(by + 1)).map(|i| a.bit(i, sat)).collect();
        return make(sat, bits, lo, hi);
    }
    // Move `a` to non-negative values by a multiple of `k`, divide, move
    // the quotient back.
    let m = if a.lo < 0 {
        (-a.lo).div_euclid(k) + 1
    } else {
        0
    };
    let Some(shifted) = m
        .checked_mul(k)
        .and_then(|mk| add(sat, a, &constant(sat, mk)))
    else {
        return a.clone();
    };
    let n = shifted.bits.len().saturating_sub(1);
    let k_bits = (128 - k.leading_zeros()) as usize;
    // The remainder is below `k`: `k_bits` bits, non-negative.
    let mut r = constant(sat, 0);
    let mut q = vec![sat.f(); n + 1];
    let kw = constant(sat, k);
    for i in (0..n).rev() {
        let mut bits = vec![shifted.bit(i, sat)];
        bits.extend(r.extended(k_bits, sat));
        bits.push(sat.f());
        let twice = make(sat, bits, 2 * r.lo, 2 * r.hi + 1);
        let fits = !lt(sat, &twice, &kw);
        if let Some(slot) = q.get_mut(i) {
            *slot = fits;
        }
        let Some(less) = sub(sat, &twice, &kw) else {
            return a.clone();
        };
        let next = ite(sat, fits, &less, &twice);
        let next_hi = next.hi.min(k - 1);
        r = make(sat, next.extended(k_bits + 1, sat), next.lo.max(0), next_hi);
    }
    let q_lo = shifted.lo.div_euclid(k);
    let q_hi = shifted.hi.div_euclid(k);
    let quotient = make(sat, q, q_lo, q_hi);
    if m == 0 {
        return quotient;
    }
    sub(sat, &quotient, &constant(sat, m)).map_or_else(|| a.clone(), |q| make(sat, q.bits, lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation on constants folds to the exact result.
    #[test]
    fn operations_on_constants_are_exact() {
        let mut sat = Sat::new();
        let values = [
            -1_000_003i128,
            -129,
            -128,
            -7,
            -1,
            0,
            1,
            2,
            7,
            127,
            128,
            255,
            1_000_003,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
        ];
        for &x in &values {
            for &y in &values {
                let (a, b) = (constant(&sat, x), constant(&sat, y));
                let v = |sat: &Sat, w: Option<Word>| w.and_then(|w| constant_value(sat, &w));
                let sum = add(&mut sat, &a, &b);
                assert_eq!(v(&sat, sum), x.checked_add(y));
                let diff = sub(&mut sat, &a, &b);
                assert_eq!(v(&sat, diff), x.checked_sub(y));
                let product = mul(&mut sat, &a, &b);
                assert_eq!(v(&sat, product), x.checked_mul(y));
                let less = lt(&mut sat, &a, &b);
                assert_eq!(sat.value_of_constant(less), Some(x < y));
                let same = eq(&mut sat, &a, &b);
                assert_eq!(sat.value_of_constant(same), Some(x == y));
            }
        }
    }

    /// Fresh words through the circuits: the solver's models obey the
    /// arithmetic, checked against `i128` on the values it picks.
    #[test]
    fn circuits_agree_with_integer_arithmetic() {
        let mut sat = Sat::new();
        let a = fresh(&mut sat, 20);
        let b = fresh(&mut sat, 9);
        let sum = add(&mut sat, &a, &b).expect("fits");
        let diff = sub(&mut sat, &a, &b).expect("fits");
        let product = mul(&mut sat, &a, &b).expect("fits");
        let scaled = mul_constant(&mut sat, &a, -37).expect("fits");
        let divisions: Vec<(i128, Word)> = [3i128, 7, 10, 16, 100, 365, 1000]
            .iter()
            .map(|&k| (k, floor_div(&mut sat, &a, k)))
            .collect();
        let less = lt(&mut sat, &a, &b);
        let mut seen = 0;
        for (ta, tb) in [
            (0i128, 0i128),
            (-1, 1),
            (1_000_000, -256),
            (-1_048_576, 255),
            (-999_999, -3),
            (524_287, -256),
            (12_345, 17),
        ] {
            let (ca, cb) = (constant(&sat, ta), constant(&sat, tb));
            let pin_a = eq(&mut sat, &a, &ca);
            let pin_b = eq(&mut sat, &b, &cb);
            assert!(sat.solve(&[pin_a, pin_b]), "{ta} {tb}");
            assert_eq!(value(&sat, &sum), ta + tb);
            assert_eq!(value(&sat, &diff), ta - tb);
            assert_eq!(value(&sat, &product), ta * tb);
            assert_eq!(value(&sat, &scaled), ta * -37);
            for (k, q) in &divisions {
                assert_eq!(value(&sat, q), ta.div_euclid(*k), "{ta} / {k}");
            }
            assert_eq!(sat.value(less), ta < tb);
            seen += 1;
        }
        assert_eq!(seen, 7);
    }
}
