package app

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/config"
)

// openBlobs opens the store PORTAL_BLOB_URL names: the folder
// DataDir/files by default, or an S3-compatible bucket, which must answer
// at start-up (a wrong endpoint, bucket or key fails here, not at the
// first upload).
func openBlobs(cfg config.Config) (blob.Store, error) {
	files := filepath.Join(cfg.DataDir, "files")
	if cfg.BlobS3 == nil {
		return blob.NewLocal(files)
	}
	c := cfg.BlobS3
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blob.OpenS3(ctx, blob.S3Config{
		Bucket: c.Bucket, Endpoint: c.Endpoint, Region: c.Region, PathStyle: c.PathStyle,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey,
		TmpDir: filepath.Join(files, "tmp"), // staging only: objects live in the bucket
	})
	if err != nil {
		return nil, fmt.Errorf("PORTAL_BLOB_URL: %w", err)
	}
	if err := s.Check(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("PORTAL_BLOB_URL: bucket %q: %w", c.Bucket, err)
	}
	return s, nil
}
