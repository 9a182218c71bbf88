//! The client's address: the socket peer, or the `X-Forwarded-For` entry added by a trusted proxy.

use std::net::IpAddr;

/// Walks `X-Forwarded-For` from the right while the hop that added each entry is trusted, so a
/// client cannot choose its own address by sending the header itself.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut ip = peer?;
    if let Some(header) = forwarded_for {
        for entry in header.rsplit(',') {
            if !trusted.contains(&ip) {
                break;
            }
            match entry.trim().parse::<IpAddr>() {
                Ok(next) => ip = next,
                Err(_) => break,
            }
        }
    }
    Some(ip)
}

/// The client address of a request as text ("" when the socket has none).
pub fn of_request(req: &actix_web::HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_ip(peer, forwarded, trusted)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), Some("1.2.3.4"), &[]),
            Some(ip("10.0.0.9"))
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxies = [ip("10.0.0.1")];
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), Some("6.6.6.6, 1.2.3.4"), &proxies),
            Some(ip("1.2.3.4"))
        );
    }

    #[test]
    fn spoofed_entries_left_of_an_untrusted_hop_are_ignored() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        let got = client_ip(Some(ip("10.0.0.1")), Some("6.6.6.6, 1.2.3.4, 10.0.0.2"), &proxies);
        assert_eq!(got, Some(ip("1.2.3.4")));
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), Some("garbage"), &proxies),
            Some(ip("10.0.0.1"))
        );
    }
}
