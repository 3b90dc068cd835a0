package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/summit-model/summit/natstest"
)

// writeIn writes data to name in dir and returns the path.
func writeIn(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pki is a certificate authority made for a test, and the files of a
// certificate it signed.
type pki struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	// CA is the path of the CA's certificate.
	CA string
}

func newPKI(t *testing.T, dir, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := writeIn(t, dir, name+"-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return &pki{key: key, cert: cert, CA: ca}
}

// issue returns the certificate and key files of a certificate for
// 127.0.0.1 and localhost, as a server or a client.
func (p *pki) issue(t *testing.T, dir, name string, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeIn(t, dir, name+"-cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyFile = writeIn(t, dir, name+"-key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	return certFile, keyFile
}

// operator is an operator, a system account and an account with JetStream,
// as a decentralised NATS deployment (nsc) has them.
type operator struct {
	claims  *jwt.OperatorClaims
	system  string
	account nkeys.KeyPair
	jwts    map[string]string // account JWTs by public key
}

func newOperator(t *testing.T) *operator {
	t.Helper()
	okp, _ := nkeys.CreateOperator()
	opub, _ := okp.PublicKey()
	oc := jwt.NewOperatorClaims(opub)
	oc.Name = "summit-test"
	o := &operator{jwts: map[string]string{}}
	account := func(name string, js bool) (nkeys.KeyPair, string) {
		kp, _ := nkeys.CreateAccount()
		pub, _ := kp.PublicKey()
		ac := jwt.NewAccountClaims(pub)
		ac.Name = name
		if js {
			ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
		}
		token, err := ac.Encode(okp)
		if err != nil {
			t.Fatal(err)
		}
		o.jwts[pub] = token
		return kp, pub
	}
	_, o.system = account("SYS", false)
	o.account, _ = account("SUMMIT", true)
	oc.SystemAccount = o.system
	token, err := oc.Encode(okp)
	if err != nil {
		t.Fatal(err)
	}
	if o.claims, err = jwt.DecodeOperatorClaims(token); err != nil {
		t.Fatal(err)
	}
	return o
}

// configure makes a server trust the operator and know its accounts.
func (o *operator) configure(opts *server.Options) {
	opts.TrustedOperators = []*jwt.OperatorClaims{o.claims}
	opts.SystemAccount = o.system
	r := &server.MemAccResolver{}
	for pub, token := range o.jwts {
		_ = r.Store(pub, token)
	}
	opts.AccountResolver = r
}

// creds returns a credentials file of a new user of account (signed by its
// key), as nsc writes them.
func creds(t *testing.T, dir, name string, account nkeys.KeyPair) string {
	t.Helper()
	ukp, _ := nkeys.CreateUser()
	upub, _ := ukp.PublicKey()
	uc := jwt.NewUserClaims(upub)
	uc.Name = name
	token, err := uc.Encode(account)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := ukp.Seed()
	data, err := jwt.FormatUserConfig(token, seed)
	if err != nil {
		t.Fatal(err)
	}
	return writeIn(t, dir, name+".creds", data)
}

// nkeyUser returns a new user NKey: its public key and its seed file.
func nkeyUser(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	return pub, writeIn(t, dir, name+".nk", seed)
}

// TestServerCredentials connects summit to real servers that demand each
// kind of credential: the right one works, and a wrong one, or none, is
// refused with exit status 2 and a message that names what was refused.
func TestServerCredentials(t *testing.T) {
	dir := t.TempDir()
	url := func(s *server.Server) string { return s.ClientURL() }

	users := natstest.StartServer(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "analyst", Password: "s3cret"}}
	})
	nkPub, nkSeed := nkeyUser(t, dir, "analyst")
	_, otherSeed := nkeyUser(t, dir, "stranger")
	nk := natstest.StartServer(t, func(o *server.Options) {
		o.Nkeys = []*server.NkeyUser{{Nkey: nkPub}}
	})
	op := newOperator(t)
	jwtServer := natstest.StartServer(t, op.configure)
	goodCreds := creds(t, dir, "analyst", op.account)
	foreign, _ := nkeys.CreateAccount()
	badCreds := creds(t, dir, "stranger", foreign)
	notCreds := writeIn(t, dir, "not.creds", []byte("this is not a credentials file\n"))

	ca := newPKI(t, dir, "summit")
	otherCA := newPKI(t, dir, "other")
	srvCert, srvKey := ca.issue(t, dir, "server", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := ca.issue(t, dir, "client", x509.ExtKeyUsageClientAuth)
	strangerCert, strangerKey := otherCA.issue(t, dir, "stranger", x509.ExtKeyUsageClientAuth)
	tlsServer := func(verify bool) *server.Server {
		return natstest.StartServer(t, func(o *server.Options) {
			cfg, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: srvCert, KeyFile: srvKey, CaFile: ca.CA, Verify: verify, Timeout: 2})
			if err != nil {
				t.Fatal(err)
			}
			o.TLSConfig, o.TLS, o.TLSVerify, o.TLSTimeout = cfg, true, verify, 2
		})
	}
	tlsOnly := tlsServer(false)
	mtls := tlsServer(true)

	tests := []struct {
		name string
		args []string
		code int
		want string // in standard error, for a refusal
	}{
		{"user and password", []string{"--server", url(users), "--user", "analyst", "--password", "s3cret"}, exitOK, ""},
		{"a wrong password", []string{"--server", url(users), "--user", "analyst", "--password", "guess"}, exitBadInput, `refused the credentials: user "analyst" with --password`},
		{"no credentials", []string{"--server", url(users)}, exitBadInput, "refused the connection: it wants credentials and none were given (--creds, --user/--password or --nkey)"},
		{"nkey", []string{"--server", url(nk), "--nkey", nkSeed}, exitOK, ""},
		{"another nkey", []string{"--server", url(nk), "--nkey", otherSeed}, exitBadInput, "refused the credentials: the NKey in --nkey " + otherSeed},
		{"not an nkey seed", []string{"--server", url(nk), "--nkey", notCreds}, exitBadInput, "--nkey " + notCreds + ": not an NKey seed file"},
		{"creds", []string{"--server", url(jwtServer), "--creds", goodCreds}, exitOK, ""},
		{"creds of an account the server does not trust", []string{"--server", url(jwtServer), "--creds", badCreds}, exitBadInput, "refused the credentials: the user in --creds " + badCreds},
		{"not a creds file", []string{"--server", url(jwtServer), "--creds", notCreds}, exitBadInput, "--creds " + notCreds + ": not a NATS credentials file"},
		{"TLS with the CA", []string{"--server", url(tlsOnly), "--tls-ca", ca.CA}, exitOK, ""},
		{"TLS with another CA", []string{"--server", url(tlsOnly), "--tls-ca", otherCA.CA}, exitBadInput, "the server's TLS certificate is not signed by the CA in --tls-ca " + otherCA.CA},
		{"TLS without a CA", []string{"--server", url(tlsOnly)}, exitBadInput, "the server's TLS certificate is not signed by a CA this machine trusts: give the CA with --tls-ca"},
		{"mutual TLS", []string{"--server", url(mtls), "--tls-ca", ca.CA, "--tls-cert", cliCert, "--tls-key", cliKey}, exitOK, ""},
		{"mutual TLS without a client certificate", []string{"--server", url(mtls), "--tls-ca", ca.CA}, exitBadInput, "it wants a client certificate (--tls-cert and --tls-key) signed by a CA it trusts"},
		{"mutual TLS with a stranger's certificate", []string{"--server", url(mtls), "--tls-ca", ca.CA, "--tls-cert", strangerCert, "--tls-key", strangerKey}, exitBadInput, "it wants a client certificate (--tls-cert and --tls-key) signed by a CA it trusts"},
		{"a CA file that is not one", []string{"--server", url(tlsOnly), "--tls-ca", notCreds}, exitBadInput, "--tls-ca " + notCreds + ": no PEM certificate in it"},
		{"a client key that is not the certificate's", []string{"--server", url(mtls), "--tls-ca", ca.CA, "--tls-cert", cliCert, "--tls-key", strangerKey}, exitBadInput, "--tls-cert " + cliCert + ", --tls-key " + strangerKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := summit(t, append([]string{"status", "--json"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, errs)
			}
			if tt.code == exitOK {
				if !strings.Contains(out, `"meetings"`) {
					t.Errorf("no board:\n%s", out)
				}
				return
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr:\n%s\nwant %q", errs, tt.want)
			}
		})
	}
}
