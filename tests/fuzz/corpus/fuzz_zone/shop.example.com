$TTL 3600
@	IN	SOA	ns1.shop.example.com.	hostmaster.shop.example.com. (
						2024060302
						3600
						3600
						1209600
						86400 )

shop.example.com.	3600	IN	NS	ns1.shop.example.com.
shop.example.com.	3600	IN	NS	ns2.shop.example.com.

shop.example.com.	3600	IN	A	203.0.113.11
ftp	3600	IN	A	203.0.113.11
mail	3600	IN	A	203.0.113.11
pop	3600	IN	A	203.0.113.11
smtp	3600	IN	A	203.0.113.11
www	3600	IN	A	203.0.113.11
ns1	3600	IN	A	203.0.113.11
ns2	3600	IN	A	198.51.100.20

shop.example.com.	3600	IN	MX	10 mail

shop.example.com.	3600	IN	TXT	"v=spf1 a mx ip4:203.0.113.11 ~all"
x._domainkey	3600	IN	TXT	( "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5x7mN0q2pQ8h3kYf1z9c4VwLr6T8e2b0sJ5dKq1uA7nXoP3mW4yR9tZ6vH2cF8gB1jD5kL0aS3eQ7wU4iO9pY2xT6rN8m" "V3bC7zA1sD5fG9hJ2kL4qW6eR8tY0uI3oP5aS7dF9gH1jK3lZ5xC7vB9nM2qW4eR6tY8uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR2tY4uI6oP8aS0dF2gH4jK6lZ8xC0vB2nM4qW6eR8tY0uIDAQAB" )
_dmarc	3600	IN	TXT	"v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example.com"

shop.example.com.	3600	IN	AAAA	2001:db8::10
www	3600	IN	AAAA	2001:db8::10
mail	3600	IN	AAAA	2001:db8::10

shop.example.com.	3600	IN	CAA	0 issue "letsencrypt.org"
_sip._tcp	3600	IN	SRV	10 60 5060 sip.shop.example.com.
sip	3600	IN	CNAME	www
