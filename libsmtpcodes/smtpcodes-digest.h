/* The digest of a module file that says "this is a shipped file" (smtpcodes-builtin.h): XXH64
 * (Yann Collet's xxHash, 64-bit, seed 0), here in full because it is short.
 *
 * Why not SHA-256 (g_compute_checksum_*)? It is the point of known content that it costs
 * less than parsing: GLib's SHA-256 hashed about 90 MB/s on the development machine, 9 ms
 * for the 800 KB of shipped vendor modules, three times a whole check_smtp_reply run; XXH64
 * takes 70 us (about 10 GB/s). What a non-cryptographic digest gives up is
 * resistance to a file made on purpose to have a shipped file's length and digest. Such a
 * file would load as the shipped module instead of being parsed: its maker gains nothing
 * that writing a module of their own would not give them (they can write to the search
 * path), and nobody else's data changes meaning. Any file that was not made to collide
 * (an edit, a damaged copy, another version) has the same length and digest as a shipped one
 * with a chance of 2^-64 per file, far below that of the disk returning wrong bytes. A
 * mismatch only means "parse it", as for any file.
 *
 * Streaming: update() takes the file in pieces of any size. */
#pragma once

#include <string.h>
#include <glib.h>

typedef struct {
  guint64 v[4];
  guint64 total;
  guint8  mem[32];   /* the part of a 32-byte stripe not hashed yet */
  guint   n_mem;
} SmtpcodesDigest;

#define SMTPCODES_XXH_P1 G_GUINT64_CONSTANT (11400714785074694791)
#define SMTPCODES_XXH_P2 G_GUINT64_CONSTANT (14029467366897019727)
#define SMTPCODES_XXH_P3 G_GUINT64_CONSTANT (1609587929392839161)
#define SMTPCODES_XXH_P4 G_GUINT64_CONSTANT (9650029242287828579)
#define SMTPCODES_XXH_P5 G_GUINT64_CONSTANT (2870177450012600261)

static inline guint64
smtpcodes_xxh_rotl (guint64 x, int r)
{
  return (x << r) | (x >> (64 - r));
}

static inline guint64
smtpcodes_xxh_read64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline guint64
smtpcodes_xxh_round (guint64 acc, guint64 input)
{
  acc += input * SMTPCODES_XXH_P2;
  acc = smtpcodes_xxh_rotl (acc, 31);
  return acc * SMTPCODES_XXH_P1;
}

static inline guint64
smtpcodes_xxh_merge (guint64 acc, guint64 v)
{
  acc ^= smtpcodes_xxh_round (0, v);
  return acc * SMTPCODES_XXH_P1 + SMTPCODES_XXH_P4;
}

static inline void
_smtpcodes_digest_init (SmtpcodesDigest *d)
{
  d->v[0] = SMTPCODES_XXH_P1 + SMTPCODES_XXH_P2;
  d->v[1] = SMTPCODES_XXH_P2;
  d->v[2] = 0;
  d->v[3] = (guint64) 0 - SMTPCODES_XXH_P1;
  d->total = 0;
  d->n_mem = 0;
}

/* whole stripes of p..p+n (n a multiple of 32) */
static inline void
smtpcodes_xxh_stripes (guint64 *v, const guint8 *p, gsize n)
{
  guint64 v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
  for (const guint8 *end = p + n; p < end; p += 32)
    {
      v0 = smtpcodes_xxh_round (v0, smtpcodes_xxh_read64 (p));
      v1 = smtpcodes_xxh_round (v1, smtpcodes_xxh_read64 (p + 8));
      v2 = smtpcodes_xxh_round (v2, smtpcodes_xxh_read64 (p + 16));
      v3 = smtpcodes_xxh_round (v3, smtpcodes_xxh_read64 (p + 24));
    }
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  v[3] = v3;
}

static inline void
_smtpcodes_digest_update (SmtpcodesDigest *d, const void *data, gsize len)
{
  const guint8 *p = data;
  gsize whole;

  if (len == 0)
    return;
  d->total += len;
  if (d->n_mem)
    {
      gsize take = MIN (len, 32 - d->n_mem);
      memcpy (d->mem + d->n_mem, p, take);
      d->n_mem += (guint) take;
      p += take;
      len -= take;
      if (d->n_mem < 32)
        return;
      smtpcodes_xxh_stripes (d->v, d->mem, 32);
      d->n_mem = 0;
    }
  whole = len & ~(gsize) 31;
  smtpcodes_xxh_stripes (d->v, p, whole);
  if (len > whole)
    memcpy (d->mem, p + whole, len - whole);
  d->n_mem = (guint) (len - whole);
}

static inline guint64
_smtpcodes_digest_finish (const SmtpcodesDigest *d)
{
  const guint8 *p = d->mem, *end = d->mem + d->n_mem;
  guint64 h;

  if (d->total >= 32)
    {
      h = smtpcodes_xxh_rotl (d->v[0], 1) + smtpcodes_xxh_rotl (d->v[1], 7) + smtpcodes_xxh_rotl (d->v[2], 12)
          + smtpcodes_xxh_rotl (d->v[3], 18);
      for (int i = 0; i < 4; i++)
        h = smtpcodes_xxh_merge (h, d->v[i]);
    }
  else
    h = d->v[2] + SMTPCODES_XXH_P5;
  h += d->total;
  for (; p + 8 <= end; p += 8)
    {
      h ^= smtpcodes_xxh_round (0, smtpcodes_xxh_read64 (p));
      h = smtpcodes_xxh_rotl (h, 27) * SMTPCODES_XXH_P1 + SMTPCODES_XXH_P4;
    }
  if (p + 4 <= end)
    {
      guint32 w;
      memcpy (&w, p, 4);
      h ^= (guint64) GUINT32_FROM_LE (w) * SMTPCODES_XXH_P1;
      h = smtpcodes_xxh_rotl (h, 23) * SMTPCODES_XXH_P2 + SMTPCODES_XXH_P3;
      p += 4;
    }
  for (; p < end; p++)
    {
      h ^= *p * SMTPCODES_XXH_P5;
      h = smtpcodes_xxh_rotl (h, 11) * SMTPCODES_XXH_P1;
    }
  h ^= h >> 33;
  h *= SMTPCODES_XXH_P2;
  h ^= h >> 29;
  h *= SMTPCODES_XXH_P3;
  h ^= h >> 32;
  return h;
}

/* the digest of one buffer */
static inline guint64
_smtpcodes_digest (const void *data, gsize len)
{
  SmtpcodesDigest d;
  _smtpcodes_digest_init (&d);
  _smtpcodes_digest_update (&d, data, len);
  return _smtpcodes_digest_finish (&d);
}
