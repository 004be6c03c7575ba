#ifndef CAUTHKIT_OPENSSL_SHIM_H
#define CAUTHKIT_OPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/ssl.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/param_build.h>

/* Macros and varargs that Swift cannot call directly get a prefixed static inline shim here. */

static inline long CAuthKitOpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline long CAuthKitOpenSSL_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline unsigned long CAuthKitOpenSSL_ERR_peek_last_error(void) {
    return ERR_peek_last_error();
}

static inline long CAuthKitOpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long CAuthKitOpenSSL_BIO_pending(BIO *bio) {
    return BIO_pending(bio);
}

static inline long CAuthKitOpenSSL_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}

/* Key selections for EVP_PKEY_fromdata and OSSL_DECODER: compound macros Swift does not import. */
static inline int CAuthKitOpenSSL_selectionKeyPair(void) {
    return EVP_PKEY_KEYPAIR;
}

static inline int CAuthKitOpenSSL_selectionPublicKey(void) {
    return EVP_PKEY_PUBLIC_KEY;
}

/* EC_GROUP_precompute_mult is deprecated in OpenSSL 3.0 but is the only way to give a group with a chosen
 * generator (an ES256 public key) the same precomputed multiplication table P-256 has for its own generator. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline int CAuthKitOpenSSL_EC_GROUP_precompute_mult(EC_GROUP *group, BN_CTX *ctx) {
    return EC_GROUP_precompute_mult(group, ctx);
}

static inline int CAuthKitOpenSSL_EC_GROUP_have_precompute_mult(const EC_GROUP *group) {
    return EC_GROUP_have_precompute_mult(group);
}
#pragma GCC diagnostic pop

/* The SHA-2 block functions, deprecated in OpenSSL 3.0 in favour of EVP_Digest*, are the one way to copy a hash
 * state as a plain struct: HMAC keeps the states after the key's inner and outer padded blocks and starts every MAC
 * from copies of them, with no context to allocate, lock or re-initialise through the provider layer. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline int CAuthKitOpenSSL_SHA256_Init(SHA256_CTX *context) {
    return SHA256_Init(context);
}

static inline int CAuthKitOpenSSL_SHA256_Update(SHA256_CTX *context, const void *data, size_t length) {
    return SHA256_Update(context, data, length);
}

static inline int CAuthKitOpenSSL_SHA256_Final(unsigned char *digest, SHA256_CTX *context) {
    return SHA256_Final(digest, context);
}

static inline int CAuthKitOpenSSL_SHA384_Init(SHA512_CTX *context) {
    return SHA384_Init(context);
}

static inline int CAuthKitOpenSSL_SHA384_Final(unsigned char *digest, SHA512_CTX *context) {
    return SHA384_Final(digest, context);
}

static inline int CAuthKitOpenSSL_SHA512_Init(SHA512_CTX *context) {
    return SHA512_Init(context);
}

/* SHA-384 is SHA-512 with other initial values and a shorter output: both update with SHA512_Update. */
static inline int CAuthKitOpenSSL_SHA512_Update(SHA512_CTX *context, const void *data, size_t length) {
    return SHA512_Update(context, data, length);
}

static inline int CAuthKitOpenSSL_SHA512_Final(unsigned char *digest, SHA512_CTX *context) {
    return SHA512_Final(digest, context);
}
#pragma GCC diagnostic pop

#endif
