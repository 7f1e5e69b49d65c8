//! Personal data at rest: AES-256-GCM for names, PESEL and contact data, each
//! value carrying the id of the key that sealed it so keys can rotate, and a keyed
//! HMAC-SHA-256 of PESEL for look-ups and deduplication without decryption.
//!
//! The vault is installed once per process (`install`), from the environment or
//! files; storage code reaches it through `vault()`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const NONCE_LEN: usize = 12;

/// The least a key holds: 256 bits.
pub const MIN_KEY_BYTES: usize = 32;

/// Decodes a base64 key (standard or URL-safe alphabet) of at least 256 bits.
pub fn decode_key(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let key = [&STANDARD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or("the JWT key must be base64 (e.g. `openssl rand -base64 32`)")?;
    if key.len() < MIN_KEY_BYTES {
        return Err(format!("the JWT key must hold at least 32 bytes (256 bits); it holds {}", key.len()));
    }
    Ok(key)
}

const KEY_LEN: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct VaultKeys {
    /// Encryption keys by id; values are sealed with the highest id.
    pub encryption: BTreeMap<u16, [u8; KEY_LEN]>,
    pub hmac: [u8; KEY_LEN],
}

// Keys stay out of Debug output.
impl std::fmt::Debug for VaultKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultKeys").field("key_ids", &self.encryption.keys().collect::<Vec<_>>()).finish_non_exhaustive()
    }
}

impl VaultKeys {
    /// Fresh random keys (development only: data sealed with them dies with the process).
    pub fn random() -> Self {
        let mut key = [0u8; KEY_LEN];
        let mut hmac = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        rand::rngs::OsRng.fill_bytes(&mut hmac);
        Self { encryption: BTreeMap::from([(1, key)]), hmac }
    }

    /// Parses `1:<base64>,2:<base64>` (encryption keys by id) and a base64 HMAC key.
    pub fn parse(encryption: &str, hmac: &str) -> Result<Self, String> {
        let mut keys = BTreeMap::new();
        for entry in encryption.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, key) = entry.split_once(':').ok_or("PERSONAL_DATA_KEYS entries look like 1:<base64 of 32 bytes>")?;
            let id: u16 = id.trim().parse().map_err(|_| format!("key id {id:?} is not a number from 0 to 65535"))?;
            keys.insert(id, exact_key(key)?);
        }
        if keys.is_empty() {
            return Err("PERSONAL_DATA_KEYS holds no key".into());
        }
        Ok(Self { encryption: keys, hmac: exact_key(hmac)? })
    }
}

fn exact_key(text: &str) -> Result<[u8; KEY_LEN], String> {
    let bytes = decode_key(text)?;
    bytes.try_into().map_err(|_| "personal-data keys are exactly 32 bytes (256 bits)".to_owned())
}

pub struct Vault {
    keys: VaultKeys,
    current: u16,
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("sealed with key {0}, which is not configured")]
    UnknownKey(u16),
    #[error("a sealed value is damaged or was sealed for another field")]
    Damaged,
}

impl Vault {
    pub fn new(keys: VaultKeys) -> Self {
        let current = *keys.encryption.keys().next_back().expect("at least one key");
        Self { keys, current }
    }

    /// Seals `plain` for `field` (bound as associated data, so a value cannot be
    /// moved to another column): key id (2 bytes) ‖ nonce (12) ‖ ciphertext and tag.
    pub fn seal(&self, field: &str, plain: &str) -> Vec<u8> {
        self.seal_bytes(field, plain.as_bytes())
    }

    /// [`Self::seal`] for bytes that need not be text.
    pub fn seal_bytes(&self, field: &str, plain: &[u8]) -> Vec<u8> {
        let key = self.keys.encryption.get(&self.current).expect("the current key is one of the keys");
        let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher.encrypt(&Nonce::from(nonce), Payload { msg: plain, aad: field.as_bytes() }).expect("AES-GCM encryption does not fail");
        let mut out = Vec::with_capacity(2 + NONCE_LEN + sealed.len());
        out.extend_from_slice(&self.current.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, field: &str, sealed: &[u8]) -> Result<String, VaultError> {
        String::from_utf8(self.open_bytes(field, sealed)?).map_err(|_| VaultError::Damaged)
    }

    /// [`Self::open`] for bytes that need not be text.
    pub fn open_bytes(&self, field: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (id, rest) = sealed.split_first_chunk::<2>().ok_or(VaultError::Damaged)?;
        let (nonce, ciphertext) = rest.split_first_chunk::<NONCE_LEN>().ok_or(VaultError::Damaged)?;
        if ciphertext.len() < 16 {
            return Err(VaultError::Damaged);
        }
        let id = u16::from_be_bytes(*id);
        let key = self.keys.encryption.get(&id).ok_or(VaultError::UnknownKey(id))?;
        let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
        cipher.decrypt(&Nonce::from(*nonce), Payload { msg: ciphertext, aad: field.as_bytes() }).map_err(|_| VaultError::Damaged)
    }

    /// A keyed hash of `bytes` for `purpose`: equal inputs give equal hashes, and
    /// without the key nobody can test a guess of the input against it.
    pub fn keyed_hash(&self, purpose: &str, bytes: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.keys.hmac).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(bytes);
        mac.finalize().into_bytes().to_vec()
    }

    /// The keyed hash of a PESEL: equal PESELs give equal hashes, and without the
    /// key nobody can test a guess against it.
    pub fn pesel_hash(&self, pesel: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.keys.hmac).expect("HMAC takes any key length");
        mac.update(b"pesel:");
        mac.update(pesel.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A keyed digest of several sealed values together: equal values give equal
    /// digests, so a changed person can be told from an unchanged one without
    /// opening anything. Each value is length-prefixed; `None` differs from "".
    pub fn digest(&self, values: &[Option<&str>]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.keys.hmac).expect("HMAC takes any key length");
        mac.update(b"personal:");
        for value in values {
            match value {
                Some(v) => {
                    mac.update(&(v.len() as u64 + 1).to_be_bytes());
                    mac.update(v.as_bytes());
                }
                None => mac.update(&0u64.to_be_bytes()),
            }
        }
        mac.finalize().into_bytes().to_vec()
    }
}

static VAULT: OnceLock<(VaultKeys, Vault)> = OnceLock::new();

/// Installs the process's vault. Installing the same keys again is a no-op;
/// different keys are refused, since sealed values would become unreadable.
pub fn install(keys: VaultKeys) -> Result<(), String> {
    let installed = VAULT.get_or_init(|| (keys.clone(), Vault::new(keys.clone())));
    if installed.0 == keys {
        Ok(())
    } else {
        Err("a different set of personal-data keys is already installed in this process".into())
    }
}

pub fn vault() -> &'static Vault {
    &VAULT.get().expect("the personal-data vault is installed at start-up").1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_field() {
        let keys = VaultKeys::random();
        let vault = Vault::new(keys.clone());
        let sealed = vault.seal("first_name", "Anna");
        assert!(!sealed.windows(4).any(|w| w == b"Anna"));
        assert_eq!(vault.open("first_name", &sealed).unwrap(), "Anna");
        assert!(matches!(vault.open("last_name", &sealed), Err(VaultError::Damaged)));
        assert_ne!(vault.seal("first_name", "Anna"), sealed, "a fresh nonce every time");

        // Rotation: a new key seals, the old one still opens.
        let mut rotated = keys.clone();
        rotated.encryption.insert(2, [9u8; 32]);
        let newer = Vault::new(rotated);
        assert_eq!(newer.open("first_name", &sealed).unwrap(), "Anna");
        assert_eq!(&newer.seal("first_name", "Jan")[..2], &[0, 2]);
        assert_eq!(newer.pesel_hash("44051401359"), vault.pesel_hash("44051401359"));
        assert_ne!(vault.pesel_hash("44051401359"), Vault::new(VaultKeys::random()).pesel_hash("44051401359"));
    }

    #[test]
    fn keys_parse_with_ids() {
        let k = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let keys = VaultKeys::parse(&format!("1:{k}, 7:{k}"), k).unwrap();
        assert_eq!(keys.encryption.keys().copied().collect::<Vec<_>>(), vec![1, 7]);
        assert!(VaultKeys::parse("", k).is_err());
        assert!(VaultKeys::parse("x:abc", k).is_err());
    }
}
