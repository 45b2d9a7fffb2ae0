//! Trusted networks in the config (`trusted_networks`, the maintenance
//! allow list): parsed strictly, so every server reads them the same way.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A trusted network: an address and how many of its leading bits count.
/// Only what nginx `geo` (and any server that takes an address or CIDR
/// list) reads the same way is accepted, so a value that passes here
/// cannot make a server config fail or trust more than it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    pub address: IpAddr,
    /// 0..=32 for IPv4, 0..=128 for IPv6; the full length for one address.
    pub prefix: u8,
}

impl Network {
    /// `10.0.0.0/8`, `::1` or `2001:db8::/32` -> the network, or the
    /// sentence that says what to write instead.
    ///
    /// Host bits (`10.0.0.1/8`) are refused, not masked: the value is a
    /// typo for either one address or a network, and guessing the network
    /// would silently trust millions of addresses instead of one.
    pub fn parse(value: &str) -> Result<Network, String> {
        let general = "use an address or CIDR network such as `10.0.0.0/8` or `::1`";
        let (address, prefix) = match value.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (value, None),
        };
        if address.contains('%') {
            return Err(
                "zone ids such as `%eth0` do not belong in a network: write the address without `%` and what follows, such as `fe80::/10`".into(),
            );
        }
        let Ok(address) = address.parse::<IpAddr>() else {
            if !address.is_empty() && address.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(
                    "write an IPv4 address as four numbers from 0 to 255 without leading zeros, such as `10.0.0.0/8`".into(),
                );
            }
            return Err(general.into());
        };
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(bits) => prefix_length(bits, max)?,
        };
        let network = Network { address, prefix };
        let masked = network.masked();
        if masked != network {
            return Err(format!(
                "its address has bits set after the first {prefix} (servers ignore them): write the network `{masked}`, or `{address}` alone for that one address"
            ));
        }
        Ok(network)
    }

    /// The same network with every bit after the prefix cleared.
    fn masked(self) -> Network {
        let address = match self.address {
            IpAddr::V4(a) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
            }
        };
        Network { address, ..self }
    }

    /// Which clients this network trusts when it trusts every client of a
    /// kind: all of IPv4 (`0.0.0.0/0`), all of IPv6 (`::/0`), or every IPv4
    /// client seen as an IPv4-mapped address (`::ffff:0:0/96` and any
    /// network that holds it).
    pub fn trusts_everyone(&self) -> Option<&'static str> {
        let mapped = Network {
            address: IpAddr::V6(Ipv4Addr::UNSPECIFIED.to_ipv6_mapped()),
            prefix: self.prefix,
        };
        match self.address {
            IpAddr::V4(_) if self.prefix == 0 => Some("every IPv4 client"),
            IpAddr::V6(_) if self.prefix == 0 => Some("every IPv6 client"),
            IpAddr::V6(_) if self.prefix <= 96 && mapped.masked() == *self => Some(
                "every IPv4 client that reaches the server as an IPv4-mapped `::ffff:` address",
            ),
            _ => None,
        }
    }
}

/// Written the way every server reads it: the address alone for one
/// address, else `address/prefix`.
impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = if self.address.is_ipv4() { 32 } else { 128 };
        if self.prefix == full {
            write!(f, "{}", self.address)
        } else {
            write!(f, "{}/{}", self.address, self.prefix)
        }
    }
}

/// The digits after `/`: ASCII digits only (no sign, space or leading
/// zero, which servers read differently or not at all), at most `max`.
fn prefix_length(bits: &str, max: u8) -> Result<u8, String> {
    let family = if max == 32 { "IPv4" } else { "IPv6" };
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the prefix length after `/` must be digits only (no sign or space), from 0 to {max} for {family}, such as `/8`"
        ));
    }
    if bits.len() > 1 && bits.starts_with('0') {
        let digits = bits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        return Err(format!(
            "write the prefix length without leading zeros, as `/{digits}`"
        ));
    }
    match bits.parse::<u8>() {
        Ok(bits) if bits <= max => Ok(bits),
        _ => Err(format!(
            "the prefix length is at most {max} for {family}, such as `/8`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value here was tried against nginx `geo` and the Rust parser;
    /// good ones are written back as the second column.
    #[test]
    fn networks() {
        let good = [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("::1", "::1"),
            ("127.0.0.1", "127.0.0.1"),
            ("127.0.0.1/32", "127.0.0.1"),
            ("0.0.0.0/32", "0.0.0.0"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("::/0", "::/0"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::ffff:0:0/96", "::ffff:0.0.0.0/96"),
            ("2001:DB8::/32", "2001:db8::/32"),
            ("fe80::/10", "fe80::/10"),
        ];
        for (value, written) in good {
            let network = Network::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(network.to_string(), written, "{value}");
        }
        let bad = [
            ("10.0.0.0/+8", "digits only"),
            ("10.0.0.0/-8", "digits only"),
            ("10.0.0.0/ 8", "digits only"),
            ("10.0.0.0 /8", "such as `10.0.0.0/8` or `::1`"),
            ("10.0.0.0/", "digits only"),
            ("10.0.0.0/8/8", "digits only"),
            ("10.0.0.0/08", "as `/8`"),
            ("10.0.0.0/00", "as `/0`"),
            ("10.0.0.0/33", "at most 32 for IPv4"),
            ("::/129", "at most 128 for IPv6"),
            ("10.0.0.0/999", "at most 32"),
            (
                "10.0.0.1/8",
                "write the network `10.0.0.0/8`, or `10.0.0.1` alone",
            ),
            ("2001:db8::1/32", "write the network `2001:db8::/32`"),
            ("1.2.3", "four numbers"),
            ("01.2.3.4", "four numbers"),
            ("0x7f.0.0.1", "such as `10.0.0.0/8`"),
            ("fe80::1%eth0", "zone ids"),
            ("fe80::1%eth0/64", "zone ids"),
            ("[::1]", "such as `10.0.0.0/8` or `::1`"),
            ("", "such as `10.0.0.0/8` or `::1`"),
            ("all", "such as `10.0.0.0/8` or `::1`"),
            ("all; deny", "such as `10.0.0.0/8` or `::1`"),
            ("0.0.0.0/0; allow all", "digits only"),
        ];
        for (value, fix) in bad {
            match Network::parse(value) {
                Ok(network) => panic!("`{value}` was accepted as {network}"),
                Err(message) => assert!(message.contains(fix), "{value}: {message}"),
            }
            assert!(
                !Network::parse(value).unwrap_err().contains("; "),
                "{value}"
            );
        }
    }

    #[test]
    fn networks_that_trust_everyone() {
        let everyone = |value: &str| Network::parse(value).unwrap().trusts_everyone();
        assert_eq!(everyone("0.0.0.0/0"), Some("every IPv4 client"));
        assert_eq!(everyone("::/0"), Some("every IPv6 client"));
        assert!(everyone("::ffff:0:0/96").unwrap().contains("IPv4-mapped"));
        assert!(everyone("::/64").unwrap().contains("IPv4-mapped"));
        for value in [
            "0.0.0.0/1",
            "::ffff:0:0/97",
            "::ffff:1.2.3.4",
            "2001:db8::/32",
            "::/127",
        ] {
            assert_eq!(everyone(value), None, "{value}");
        }
    }
}
