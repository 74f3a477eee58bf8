package blob

// Why gocloud.dev/blob with its s3blob driver (AWS SDK v2) rather than the
// MinIO client: it speaks plain S3 to AWS, MinIO, Ceph RGW and the domestic
// clouds' S3 APIs alike; the fake S3 server the tests talk to (gofakes3)
// brings the AWS SDK v2 anyway; and another kind of bucket (GCS, Azure, a
// local folder for tests) is one driver away behind the same *gblob.Bucket.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	gblob "gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
)

// S3 is a Store in a bucket of an S3-compatible object store. Put stages
// the content in a local temporary file while hashing it (the key is the
// hash), then uploads it under its final key in one PUT (multipart for
// large files, completed only at the end): a crash leaves no visible
// half-object, only a local temporary file.
type S3 struct {
	bucket *gblob.Bucket
	tmpDir string
}

var _ Store = (*S3)(nil)

// S3Config says which bucket to use and how to reach it.
type S3Config struct {
	Bucket    string
	Endpoint  string // http(s)://host:port of an S3-compatible service; empty = AWS
	Region    string // empty = AWS_REGION or the shared config, else us-east-1
	PathStyle bool   // bucket in the path (MinIO), not in the host name
	// AccessKey and SecretKey: empty = the AWS SDK's default chain
	// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, shared credentials …).
	AccessKey, SecretKey string
	// TmpDir is where Put stages content while hashing it.
	TmpDir string
	// HTTPClient, when set, carries the requests (tests, proxies).
	HTTPClient *http.Client
}

// OpenS3 connects to the bucket (no request is made: Check does one).
func OpenS3(ctx context.Context, c S3Config) (*S3, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		// The SDK's newer default adds CRC trailers (aws-chunked uploads)
		// that several S3-compatible services reject; the content is
		// checked by its SHA-256 key anyway.
		awsconfig.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		awsconfig.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	if c.AccessKey != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // what MinIO and most S3-compatible services sign with by default
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.PathStyle
		if c.HTTPClient != nil {
			o.HTTPClient = c.HTTPClient
		}
	})
	bucket, err := s3blob.OpenBucket(ctx, client, c.Bucket, &s3blob.Options{
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return NewBucketStore(bucket, c.TmpDir)
}

// NewBucketStore makes a Store of any gocloud bucket, staging Puts in tmpDir.
func NewBucketStore(bucket *gblob.Bucket, tmpDir string) (*S3, error) {
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &S3{bucket: bucket, tmpDir: tmpDir}, nil
}

// Check makes one request to tell whether the bucket exists and may be
// listed with the credentials given (start-up calls it).
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("blob: bucket not reachable: %w", err)
	}
	if !ok {
		return errors.New("blob: bucket does not exist")
	}
	return nil
}

// Close releases the bucket.
func (s *S3) Close() error { return s.bucket.Close() }

// Put stages r in a temporary file while hashing, then uploads it under
// its content key unless that key is already stored.
func (s *S3) Put(ctx context.Context, r io.Reader, max int64) (Stored, error) {
	tmp, err := os.CreateTemp(s.tmpDir, "put-*")
	if err != nil {
		return Stored{}, fmt.Errorf("blob: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	// No fsync: the staged copy only has to outlive this call.
	st, err := stage(ctx, tmp, r, max)
	if err != nil {
		return Stored{}, err
	}
	exists, err := s.bucket.Exists(ctx, st.Key)
	if err != nil {
		return Stored{}, fmt.Errorf("blob: s3 head: %w", err)
	}
	if exists {
		// Same content already stored: content addressing dedupes it.
		return st, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Stored{}, fmt.Errorf("blob: %w", err)
	}
	// One PUT (or a multipart upload completed at the end): the object
	// becomes visible whole or not at all; a cancelled ctx aborts it.
	if err := s.bucket.Upload(ctx, st.Key, tmp, &gblob.WriterOptions{ContentType: "application/octet-stream"}); err != nil {
		return Stored{}, fmt.Errorf("blob: s3 upload: %w", err)
	}
	return st, nil
}

// Open finds the object's size and time (one HEAD); the content is read
// with ranged GETs from wherever Seek left off.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	attrs, err := s.bucket.Attributes(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: s3 head: %w", err)
	}
	return &s3Object{ctx: ctx, bucket: s.bucket, key: key, size: attrs.Size, mod: attrs.ModTime}, nil
}

// Exists reports whether key is stored.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	if !ValidKey(key) {
		return false, nil
	}
	ok, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("blob: s3 head: %w", err)
	}
	return ok, nil
}

// s3Object reads an object through one open GET at a time. Seeking only
// moves the position; the next Read opens a ranged GET there unless the
// open one is already at that point, so sequential ReadAt-style access
// (Seek to where the last read ended) streams through a single request.
type s3Object struct {
	ctx    context.Context
	bucket *gblob.Bucket
	key    string
	size   int64
	mod    time.Time

	pos     int64         // where the next Read starts
	body    *gblob.Reader // open GET, or nil
	bodyPos int64         // where body's next byte is
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

func (o *s3Object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if o.body != nil && o.bodyPos != o.pos {
		o.body.Close()
		o.body = nil
	}
	if o.body == nil {
		r, err := o.bucket.NewRangeReader(o.ctx, o.key, o.pos, -1, nil)
		if gcerrors.Code(err) == gcerrors.NotFound {
			return 0, ErrNotFound
		}
		if err != nil {
			return 0, fmt.Errorf("blob: s3 get: %w", err)
		}
		o.body, o.bodyPos = r, o.pos
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	o.bodyPos += int64(n)
	if errors.Is(err, io.EOF) {
		o.body.Close()
		o.body = nil
		if o.pos < o.size {
			return n, io.ErrUnexpectedEOF
		}
		return n, io.EOF
	}
	if err != nil {
		return n, fmt.Errorf("blob: s3 read: %w", err)
	}
	return n, nil
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.pos + offset
	case io.SeekEnd:
		abs = o.size + offset
	default:
		return o.pos, errors.New("blob: invalid whence")
	}
	if abs < 0 {
		return o.pos, errors.New("blob: negative position")
	}
	o.pos = abs
	return abs, nil
}

func (o *s3Object) Close() error {
	if o.body == nil {
		return nil
	}
	err := o.body.Close()
	o.body = nil
	return err
}
