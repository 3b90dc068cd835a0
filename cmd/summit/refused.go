package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// checkFiles reads the credential and TLS files the flags name, so that a
// file that is not what its flag wants is reported as such, before any
// server is asked.
func (f *storeFlags) checkFiles() []error {
	var errs []error
	if f.creds != "" {
		if err := checkCreds(f.creds); err != nil {
			errs = append(errs, fmt.Errorf("--creds %s: not a NATS credentials file (a user JWT and its seed, as nsc writes them): %w", f.creds, err))
		}
	}
	if f.nkey != "" {
		if _, err := nats.NkeyOptionFromSeed(f.nkey); err != nil {
			errs = append(errs, fmt.Errorf("--nkey %s: not an NKey seed file: %w", f.nkey, err))
		}
	}
	if f.tlsCA != "" {
		if data, err := os.ReadFile(f.tlsCA); err == nil && !x509.NewCertPool().AppendCertsFromPEM(data) {
			errs = append(errs, fmt.Errorf("--tls-ca %s: no PEM certificate in it", f.tlsCA))
		}
	}
	if f.tlsCert != "" && f.tlsKey != "" {
		if _, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey); err != nil {
			errs = append(errs, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", f.tlsCert, f.tlsKey, err))
		}
	}
	return errs
}

// checkCreds reports a credentials file without a user JWT and a seed.
func checkCreds(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := jwt.ParseDecoratedJWT(data); err != nil {
		return fmt.Errorf("no user JWT: %w", err)
	}
	kp, err := nkeys.ParseDecoratedNKey(data)
	if err != nil {
		return fmt.Errorf("no seed: %w", err)
	}
	kp.Wipe()
	return nil
}

// refused explains err, the failure to connect to urls, when the server
// refused what the flags gave it (a credential, a certificate) or its
// certificate was refused: bad input, naming the flags at fault. Other
// errors are returned as they are.
func (f *storeFlags) refused(urls string, err error) error {
	msg := strings.ToLower(err.Error())
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	switch {
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired), errors.Is(err, nats.ErrAuthRevoked),
		strings.Contains(msg, "authorization violation"), strings.Contains(msg, "authentication expired"), strings.Contains(msg, "authentication revoked"):
		given := f.credentials()
		if len(given) == 0 {
			return badInputf("connect to %s: the server refused the connection: it wants credentials and none were given (--creds, --user/--password or --nkey): %w", urls, err)
		}
		return badInputf("connect to %s: the server refused the credentials: %s: %w", urls, strings.Join(given, " and "), err)
	case errors.As(err, &unknownCA), strings.Contains(msg, "certificate signed by unknown authority"):
		if f.tlsCA != "" {
			return badInputf("connect to %s: the server's TLS certificate is not signed by the CA in --tls-ca %s: %w", urls, f.tlsCA, err)
		}
		return badInputf("connect to %s: the server's TLS certificate is not signed by a CA this machine trusts: give the CA with --tls-ca: %w", urls, err)
	case errors.As(err, &wrongHost), strings.Contains(msg, "certificate is valid for"):
		return badInputf("connect to %s: the server's TLS certificate is not for the host in the URL: %w", urls, err)
	case strings.Contains(msg, "tls: certificate required"), strings.Contains(msg, "tls: bad certificate"),
		strings.Contains(msg, "tls: unknown certificate authority"), strings.Contains(msg, "tls: certificate expired"):
		return badInputf("connect to %s: the server refused the TLS connection: it wants a client certificate (--tls-cert and --tls-key) signed by a CA it trusts: %w", urls, err)
	case strings.Contains(msg, "connection closed by remote after tls handshake"):
		// With TLS 1.3 the client's side of the handshake ends before
		// the server has checked the client's certificate: the refusal
		// arrives as the connection closing.
		return badInputf("connect to %s: the server refused the TLS connection (it closed it after the handshake): it wants a client certificate (--tls-cert and --tls-key) signed by a CA it trusts: %w", urls, err)
	case strings.Contains(msg, "secure connection required"), strings.Contains(msg, "tls: first record does not look like a tls handshake"):
		return badInputf("connect to %s: the server and summit disagree on TLS (give --tls-ca for a server that wants TLS, no TLS flags for one that does not): %w", urls, err)
	}
	return nil
}

// credentials describes the credentials the flags give, for a message.
func (f *storeFlags) credentials() []string {
	var given []string
	if f.creds != "" {
		given = append(given, "the user in --creds "+f.creds)
	}
	if f.user != "" {
		pw := "with --password"
		if f.password == "" {
			pw = "with $SUMMIT_PASSWORD"
			if os.Getenv("SUMMIT_PASSWORD") == "" {
				pw = "with no password"
			}
		}
		given = append(given, fmt.Sprintf("user %q %s", f.user, pw))
	}
	if f.nkey != "" {
		nk := "the NKey in --nkey " + f.nkey
		if seed, err := os.ReadFile(f.nkey); err == nil {
			if kp, err := nkeys.ParseDecoratedNKey(seed); err == nil {
				if pub, err := kp.PublicKey(); err == nil {
					nk += " (" + pub + ")"
				}
				kp.Wipe()
			}
		}
		given = append(given, nk)
	}
	return given
}
