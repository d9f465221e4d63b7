"""S3-compatible storage (MinIO and others), anonymous: ``GET /`` lists the buckets (path style)
or, on a bucket's own endpoint, its object keys. Counts and sizes are kept, not the keys."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


class S3(Probe):
    id: ClassVar[str] = "s3"
    title: ClassVar[str] = "S3-compatible storage (MinIO)"
    title_ja: ClassVar[str] = "S3 互換ストレージ（MinIO）"
    ports: ClassVar[tuple[int, ...]] = (9000,)
    references: ClassVar[tuple[str, ...]] = (
        "https://min.io/docs/minio/linux/administration/identity-access-management/policy-based-access-control.html",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/",
            identify=(
                Match(words=("<ListAllMyBucketsResult",)),
                Match(words=("<ListBucketResult",)),
                Match(regex=r"<Error>\s*<Code>(AccessDenied|AllAccessDisabled|SignatureDoesNotMatch)</Code>"),
                Match(header=(("server", r"^MinIO"),)),
            ),
            auth=(Match(regex=r"<Code>(AccessDenied|AllAccessDisabled|SignatureDoesNotMatch)</Code>"),),
            data=(
                Match(status=(200,), words=("<ListAllMyBucketsResult",)),
                Match(status=(200,), words=("<ListBucketResult",)),
            ),
            extract=(
                Extract("collections", regex=r"<Bucket>\s*<Name>([^<]+)</Name>", reduce="list"),
                Extract("records", regex=r"<Contents>\s*<Key>([^<]*)</Key>", reduce="count"),
                Extract("bytes", regex=r"<Size>(\d+)</Size>", reduce="sum"),
            ),
        ),
    )
