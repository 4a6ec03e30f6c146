//! Fixed-width integers as circuits: two's complement words of [`WIDTH`]
//! bits, least significant bit first, with exact addition, multiplication,
//! comparison and floor division by a constant.
//!
//! Every number of the language is one such word: integers as themselves,
//! decimals and money as integers scaled by a power of ten, dates as days
//! since 1970-01-01. The values facts may take are bounded so that no
//! operation the language allows wraps around (see `encode.rs`), which makes
//! the arithmetic exact, not modular.

use super::sat::{Sat, L};

/// Bits per word.
pub(crate) const WIDTH: usize = 128;

/// A word: [`WIDTH`] literals, least significant first.
pub(crate) type Word = Vec<L>;

/// A constant word.
pub(crate) fn constant(sat: &Sat, value: i128) -> Word {
    (0..WIDTH)
        .map(|i| sat.constant((value >> i) & 1 == 1))
        .collect()
}

/// A fresh word whose value lies in `[-2^bits, 2^bits)`: `bits` free
/// literals and a sign bit repeated above them.
pub(crate) fn fresh(sat: &mut Sat, bits: usize) -> Word {
    let mut word: Word = (0..bits).map(|_| sat.fresh()).collect();
    let sign = sat.fresh();
    word.resize(WIDTH, sign);
    word
}

/// The value of a word in the last model.
pub(crate) fn value(sat: &Sat, word: &[L]) -> i128 {
    word.iter().enumerate().fold(0i128, |acc, (i, &l)| {
        if sat.value(l) {
            acc | (1i128 << i)
        } else {
            acc
        }
    })
}

/// The constant value of a word, if every bit is constant.
pub(crate) fn constant_value(sat: &Sat, word: &[L]) -> Option<i128> {
    let mut acc = 0i128;
    for (i, &l) in word.iter().enumerate() {
        if sat.value_of_constant(l)? {
            acc |= 1i128 << i;
        }
    }
    Some(acc)
}

fn bit(word: &[L], i: usize, sat: &Sat) -> L {
    word.get(i).copied().unwrap_or_else(|| sat.f())
}

/// `a + b + carry`, dropping the carry out of the top bit.
fn add_with_carry(sat: &mut Sat, a: &[L], b: &[L], mut carry: L) -> Word {
    let mut out = Vec::with_capacity(WIDTH);
    for i in 0..WIDTH {
        let (x, y) = (bit(a, i, sat), bit(b, i, sat));
        let xy = sat.xor2(x, y);
        out.push(sat.xor2(xy, carry));
        let both = sat.and2(x, y);
        let propagated = sat.and2(xy, carry);
        carry = sat.or2(both, propagated);
    }
    out
}

/// `a + b`.
pub(crate) fn add(sat: &mut Sat, a: &[L], b: &[L]) -> Word {
    let zero = sat.f();
    add_with_carry(sat, a, b, zero)
}

/// `a - b`.
pub(crate) fn sub(sat: &mut Sat, a: &[L], b: &[L]) -> Word {
    let not_b: Word = b.iter().map(|&l| !l).collect();
    let one = sat.t();
    add_with_carry(sat, a, &not_b, one)
}

/// `-a`.
pub(crate) fn neg(sat: &mut Sat, a: &[L]) -> Word {
    let zero = constant(sat, 0);
    sub(sat, &zero, a)
}

fn shift_left(sat: &Sat, a: &[L], by: usize) -> Word {
    (0..WIDTH)
        .map(|i| if i < by { sat.f() } else { bit(a, i - by, sat) })
        .collect()
}

/// `a × k` for a constant `k`.
pub(crate) fn mul_constant(sat: &mut Sat, a: &[L], k: i128) -> Word {
    let magnitude = k.unsigned_abs();
    let mut acc = constant(sat, 0);
    for i in 0..WIDTH {
        if (magnitude >> i) & 1 == 1 {
            let shifted = shift_left(sat, a, i);
            acc = add(sat, &acc, &shifted);
        }
    }
    if k < 0 {
        neg(sat, &acc)
    } else {
        acc
    }
}

/// `a × b` (shift and add; exact while the product fits).
pub(crate) fn mul(sat: &mut Sat, a: &[L], b: &[L]) -> Word {
    if let Some(k) = constant_value(sat, b) {
        return mul_constant(sat, a, k);
    }
    if let Some(k) = constant_value(sat, a) {
        return mul_constant(sat, b, k);
    }
    let mut acc = constant(sat, 0);
    let zero = constant(sat, 0);
    for i in 0..WIDTH {
        let shifted = shift_left(sat, a, i);
        let b_i = bit(b, i, sat);
        let term = ite(sat, b_i, &shifted, &zero);
        acc = add(sat, &acc, &term);
    }
    acc
}

/// `if c then a else b`, bit by bit.
pub(crate) fn ite(sat: &mut Sat, c: L, a: &[L], b: &[L]) -> Word {
    (0..WIDTH)
        .map(|i| {
            let (x, y) = (bit(a, i, sat), bit(b, i, sat));
            sat.ite(c, x, y)
        })
        .collect()
}

/// `a = b`.
pub(crate) fn eq(sat: &mut Sat, a: &[L], b: &[L]) -> L {
    let mut acc = sat.t();
    for i in 0..WIDTH {
        let (x, y) = (bit(a, i, sat), bit(b, i, sat));
        let same = sat.iff(x, y);
        acc = sat.and2(acc, same);
    }
    acc
}

/// `a < b`, signed.
pub(crate) fn lt(sat: &mut Sat, a: &[L], b: &[L]) -> L {
    // Unsigned comparison of the bits below the sign, from the bottom up.
    let mut less = sat.f();
    for i in 0..WIDTH - 1 {
        let (x, y) = (bit(a, i, sat), bit(b, i, sat));
        let here = sat.and2(!x, y);
        let same = sat.iff(x, y);
        let below = sat.and2(same, less);
        less = sat.or2(here, below);
    }
    let (sa, sb) = (bit(a, WIDTH - 1, sat), bit(b, WIDTH - 1, sat));
    // Negative below non-negative; equal signs compare as unsigned.
    let neg_pos = sat.and2(sa, !sb);
    let same_sign = sat.iff(sa, sb);
    let by_bits = sat.and2(same_sign, less);
    sat.or2(neg_pos, by_bits)
}

/// `a ≤ b`, signed.
pub(crate) fn le(sat: &mut Sat, a: &[L], b: &[L]) -> L {
    !lt(sat, b, a)
}

/// `lo ≤ a ≤ hi` for constants.
pub(crate) fn within(sat: &mut Sat, a: &[L], lo: i128, hi: i128) -> L {
    let (lo, hi) = (constant(sat, lo), constant(sat, hi));
    let above = le(sat, &lo, a);
    let below = le(sat, a, &hi);
    sat.and2(above, below)
}

/// `⌊a / k⌋` for a constant `k > 0`: a fresh quotient `q` and remainder
/// `r` with `a = q·k + r` and `0 ≤ r < k`, required to hold. The quotient
/// is bounded so that `q·k` cannot wrap, which makes it unique.
pub(crate) fn floor_div(sat: &mut Sat, a: &[L], k: i128) -> Word {
    if k == 1 {
        return a.to_vec();
    }
    if let Some(v) = constant_value(sat, a) {
        return constant(sat, v.div_euclid(k));
    }
    let k_bits = (128 - k.leading_zeros()) as usize;
    let q = fresh(sat, WIDTH.saturating_sub(k_bits + 3));
    let r = {
        let mut r: Word = (0..k_bits).map(|_| sat.fresh()).collect();
        r.resize(WIDTH, sat.f());
        r
    };
    let r_small = {
        let kw = constant(sat, k);
        lt(sat, &r, &kw)
    };
    sat.require(r_small);
    let qk = mul_constant(sat, &q, k);
    let back = add(sat, &qk, &r);
    let holds = eq(sat, &back, a);
    sat.require(holds);
    q
}
