//! CloudFront: a CloudFormation stack (`servers/cloudfront.json`) with a
//! private S3 bucket for the pages, a distribution in front of the site's
//! origin, a cache behaviour that serves the pages under `url_prefix` from
//! the bucket, and a `CustomErrorResponses` entry per replaced status.
//!
//! CloudFront serves one page per status, whatever the request's Accept
//! or Accept-Language: the default locale's HTML. It accepts custom error
//! responses only for the codes in [`CODES`]; others are left out.

use super::ServerInput;
use crate::output::OutputFile;
use anyhow::Result;
use serde_json::{Map, Value, json};

pub const FILE: &str = "servers/cloudfront.json";

/// The error codes CloudFront accepts in `CustomErrorResponses`.
pub const CODES: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// AWS managed cache policies: the site is not cached (as without a CDN
/// config of its own), the pages are.
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// AWS managed origin request policy `AllViewer`: the origin sees the
/// visitor's headers, cookies and query as it would without CloudFront.
const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";

const PAGES_ORIGIN: &str = "errorsmith-pages";
const SITE_ORIGIN: &str = "site";

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let prefix = super::url_prefix(input)?;
    let pages = super::top_level_pages(input);
    let built: Vec<u16> = pages.iter().map(|(code, _)| *code).collect();
    let replaced = super::replaced_statuses(&input.manifest.servers.replace_statuses, &built)?;
    let errors: Vec<Value> = pages
        .iter()
        .filter(|(code, _)| replaced.contains(code) && CODES.contains(code))
        .map(|&(code, retry_after)| {
            let mut entry = Map::new();
            entry.insert("ErrorCode".into(), json!(code));
            entry.insert("ResponseCode".into(), json!(code));
            entry.insert(
                "ResponsePagePath".into(),
                json!(format!("{prefix}/{code}.html")),
            );
            // CloudFront asks the origin again after this long; a page that
            // tells visitors when to retry should not be cached past that.
            // Without it CloudFront's default (10 s) applies.
            if let Some(seconds) = retry_after {
                entry.insert("ErrorCachingMinTTL".into(), json!(seconds));
            }
            Value::Object(entry)
        })
        .collect();
    let template = template(prefix, errors);
    let text = serde_json::to_string_pretty(&template).expect("JSON serializes") + "\n";
    Ok(vec![super::text_file(FILE, text)])
}

fn template(prefix: &str, errors: Vec<Value>) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("errorsmith error pages: a CloudFront distribution in front of your origin that answers its errors with the pages, served from a private S3 bucket under {prefix}/. Upload the build to the bucket's {}/ folder (see errorsmith's README).", prefix.trim_start_matches('/')),
        "Parameters": {
            "OriginDomainName": {
                "Type": "String",
                "Description": "Your site's origin, such as origin.example.com (reached over HTTPS)."
            }
        },
        "Resources": {
            "PagesBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": true,
                        "BlockPublicPolicy": true,
                        "IgnorePublicAcls": true,
                        "RestrictPublicBuckets": true
                    }
                }
            },
            "PagesAccessControl": {
                "Type": "AWS::CloudFront::OriginAccessControl",
                "Properties": {
                    "OriginAccessControlConfig": {
                        "Name": {"Fn::Sub": "${AWS::StackName}-errorsmith"},
                        "OriginAccessControlOriginType": "s3",
                        "SigningBehavior": "always",
                        "SigningProtocol": "sigv4"
                    }
                }
            },
            "PagesBucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "PagesBucket"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Sub": "${PagesBucket.Arn}/*"},
                            "Condition": {"StringEquals": {
                                "AWS:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"}
                            }}
                        }]
                    }
                }
            },
            "Distribution": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {
                    "DistributionConfig": {
                        "Enabled": true,
                        "Comment": "errorsmith error pages",
                        "Origins": [
                            {
                                "Id": SITE_ORIGIN,
                                "DomainName": {"Ref": "OriginDomainName"},
                                "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}
                            },
                            {
                                "Id": PAGES_ORIGIN,
                                "DomainName": {"Fn::GetAtt": ["PagesBucket", "RegionalDomainName"]},
                                "S3OriginConfig": {"OriginAccessIdentity": ""},
                                "OriginAccessControlId": {"Fn::GetAtt": ["PagesAccessControl", "Id"]}
                            }
                        ],
                        "DefaultCacheBehavior": {
                            "TargetOriginId": SITE_ORIGIN,
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                            "CachePolicyId": CACHING_DISABLED,
                            "OriginRequestPolicyId": ALL_VIEWER
                        },
                        "CacheBehaviors": [{
                            "PathPattern": format!("{prefix}/*"),
                            "TargetOriginId": PAGES_ORIGIN,
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "CachePolicyId": CACHING_OPTIMIZED
                        }],
                        "CustomErrorResponses": errors
                    }
                }
            }
        },
        "Outputs": {
            "PagesBucketName": {"Value": {"Ref": "PagesBucket"}},
            "DistributionDomainName": {"Value": {"Fn::GetAtt": ["Distribution", "DomainName"]}}
        }
    })
}
