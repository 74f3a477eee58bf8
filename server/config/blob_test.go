package config

import (
	"strings"
	"testing"
)

func TestBlobURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want *BlobS3
	}{
		{"empty: local folder", nil, nil},
		{"MinIO", map[string]string{
			"PORTAL_BLOB_URL":        "s3://portal-files?endpoint=http://127.0.0.1:9000&region=cn-north-1&use_path_style=true",
			"PORTAL_BLOB_ACCESS_KEY": "AK", "PORTAL_BLOB_SECRET_KEY": "SK",
		}, &BlobS3{Bucket: "portal-files", Endpoint: "http://127.0.0.1:9000", Region: "cn-north-1", PathStyle: true, AccessKey: "AK", SecretKey: "SK"}},
		{"an endpoint means path style unless told", map[string]string{"PORTAL_BLOB_URL": "s3://files.hlj?endpoint=https://oss.example.gov.cn/"},
			&BlobS3{Bucket: "files.hlj", Endpoint: "https://oss.example.gov.cn", PathStyle: true}},
		{"told otherwise", map[string]string{"PORTAL_BLOB_URL": "s3://files?endpoint=https://s3.example&use_path_style=false"},
			&BlobS3{Bucket: "files", Endpoint: "https://s3.example"}},
		{"AWS itself, credentials from the AWS chain", map[string]string{"PORTAL_BLOB_URL": "s3://hlj-portal/?region=cn-northwest-1"},
			&BlobS3{Bucket: "hlj-portal", Region: "cn-northwest-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if (c.BlobS3 == nil) != (tc.want == nil) || (c.BlobS3 != nil && *c.BlobS3 != *tc.want) {
				t.Errorf("BlobS3 = %+v, want %+v", c.BlobS3, tc.want)
			}
		})
	}
}

func TestBadBlobURLNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env      map[string]string
		variable string
		reason   string
	}{
		{map[string]string{"PORTAL_BLOB_URL": "/var/lib/portal/files"}, "PORTAL_BLOB_URL", "want empty"},
		{map[string]string{"PORTAL_BLOB_URL": "gs://bucket"}, "PORTAL_BLOB_URL", "want empty"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://"}, "PORTAL_BLOB_URL", "bucket name"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://Upper_Case"}, "PORTAL_BLOB_URL", "bucket name"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket/some/prefix"}, "PORTAL_BLOB_URL", "nothing may follow"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket?endpoint=127.0.0.1:9000"}, "PORTAL_BLOB_URL", "endpoint="},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket?region=north%20east"}, "PORTAL_BLOB_URL", "region="},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket?use_path_style=yes-please"}, "PORTAL_BLOB_URL", "use_path_style="},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket?acl=public-read"}, "PORTAL_BLOB_URL", `unknown parameter "acl"`},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket", "PORTAL_BLOB_ACCESS_KEY": "AK"}, "PORTAL_BLOB_SECRET_KEY", "set both"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://bucket", "PORTAL_BLOB_SECRET_KEY": "topsecret"}, "PORTAL_BLOB_ACCESS_KEY", "set both"},
		{map[string]string{"PORTAL_BLOB_URL": "s3://AK:topsecret@bucket"}, "PORTAL_BLOB_URL", "PORTAL_BLOB_SECRET_KEY"},
	} {
		_, err := Load(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.variable) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%v: err = %v, want %s … %s", tc.env, err, tc.variable, tc.reason)
		}
		if err != nil && strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%v: the error shows the secret: %v", tc.env, err)
		}
	}
}
