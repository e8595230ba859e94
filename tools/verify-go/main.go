// verify-go checks a Porchlight disclosure log with Go's own transparency-log
// packages, golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, which
// Porchlight's code did not write: the checkpoint's signature (C2SP
// signed-note), its witness cosignatures (C2SP tlog-cosignature, verified
// through note.Open with a note.Verifier for the cosignature/v1 type), every
// hash tile against the signed root (tlog.TileHashReader), and every entry in
// the entry bundles against the level-0 hashes with an inclusion proof
// (tlog.ProveRecord / tlog.CheckRecord). Run by hand; see README.md.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	url := flag.String("url", "", "the log's prefix, e.g. http://127.0.0.1:8080/log")
	key := flag.String("key", "", "the log's verifier key (GET /log/key)")
	var witnesses multi
	flag.Var(&witnesses, "witness", "a witness's cosigner vkey (type 0x04); repeatable")
	min := flag.Int("min-witnesses", 0, "how many witnesses must have cosigned")
	flag.Parse()
	if *url == "" || *key == "" || *min > len(witnesses) {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(strings.TrimRight(*url, "/"), *key, witnesses, *min); err != nil {
		fmt.Fprintln(os.Stderr, "FAILED:", err)
		os.Exit(1)
	}
}

func get(url string) ([]byte, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: HTTP %d", url, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

// cosigV1 is a note.Verifier for C2SP tlog-cosignature's Ed25519 type: the
// signature is u64 timestamp || Ed25519 over "cosignature/v1\ntime T\n" || text.
type cosigV1 struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (c cosigV1) Name() string    { return c.name }
func (c cosigV1) KeyHash() uint32 { return c.hash }
func (c cosigV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(c.key, m, sig[8:])
}

func parseCosigner(vkey string) (note.Verifier, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hexHash, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 {
		return nil, errors.New("malformed witness vkey")
	}
	h, err1 := strconv.ParseUint(hexHash, 16, 32)
	raw, err2 := base64.StdEncoding.DecodeString(b64)
	if err1 != nil || err2 != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, errors.New("a witness vkey is name+hash+base64(0x04 || 32-byte Ed25519 key)")
	}
	sum := sha256.Sum256(append([]byte(name+"\n"), raw...))
	if binary.BigEndian.Uint32(sum[:4]) != uint32(h) {
		return nil, errors.New("witness vkey hash does not match its key")
	}
	return cosigV1{name: name, hash: uint32(h), key: ed25519.PublicKey(raw[1:])}, nil
}

// tileReader serves C2SP tlog-tiles paths (tile/<L>/<N>[.p/<W>]); Go's Tile.Path
// adds the height (tile/8/<L>/...), which tlog-tiles fixes at 8 and leaves out.
type tileReader struct{ prefix string }

func (tileReader) Height() int { return 8 }
func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := get(r.prefix + "/" + strings.Replace(t.Path(), "tile/8/", "tile/", 1))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
func (tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func run(prefix, vkey string, witnesses []string, min int) error {
	logV, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("log key: %w", err)
	}
	verifiers := []note.Verifier{logV}
	for _, w := range witnesses {
		v, err := parseCosigner(w)
		if err != nil {
			return err
		}
		verifiers = append(verifiers, v)
	}
	msg, err := get(prefix + "/checkpoint")
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	cosigned := 0
	logSigned := false
	for _, s := range n.Sigs {
		if s.Name == logV.Name() && s.Hash == logV.KeyHash() {
			logSigned = true
		} else {
			cosigned++
		}
	}
	if !logSigned {
		return errors.New("the checkpoint is not signed by the log's key")
	}
	if cosigned < min {
		return fmt.Errorf("%d valid cosignatures, %d required", cosigned, min)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != logV.Name() {
		return errors.New("the checkpoint is not origin, size, root for this log")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return fmt.Errorf("checkpoint size: %w", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		return errors.New("checkpoint root is not a base64 SHA-256 hash")
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	// TileHashReader checks every tile it loads against the signed tree hash.
	hr := tlog.TileHashReader(tree, tileReader{prefix})
	if size > 0 {
		th, err := tlog.TreeHash(size, hr)
		if err != nil {
			return fmt.Errorf("tiles: %w", err)
		}
		if th != root {
			return errors.New("the tiles do not lead to the signed root")
		}
	}
	for start := int64(0); start < size; start += 256 {
		w := min64(256, size-start)
		p := fmt.Sprintf("%s/tile/entries/%s", prefix, tileIndex(start/256))
		if w < 256 {
			p += fmt.Sprintf(".p/%d", w)
		}
		bundle, err := get(p)
		if err != nil {
			return err
		}
		for i := int64(0); i < w; i++ {
			if len(bundle) < 2 {
				return fmt.Errorf("entry bundle %d is short", start/256)
			}
			l := int(binary.BigEndian.Uint16(bundle))
			if len(bundle) < 2+l {
				return fmt.Errorf("entry bundle %d is short", start/256)
			}
			entry := bundle[2 : 2+l]
			bundle = bundle[2+l:]
			proof, err := tlog.ProveRecord(size, start+i, hr)
			if err != nil {
				return fmt.Errorf("entry %d: %w", start+i, err)
			}
			if err := tlog.CheckRecord(proof, size, root, start+i, tlog.RecordHash(entry)); err != nil {
				return fmt.Errorf("entry %d: %w", start+i, err)
			}
		}
	}
	fmt.Printf("OK %s: %d entries, each proved included in the signed root by Go's sumdb/tlog; %d of %d witnesses cosigned (%d required)\n", lines[0], size, cosigned, len(witnesses), min)
	return nil
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// tileIndex is tlog-tiles' "x001/234" encoding of a tile index.
func tileIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}
