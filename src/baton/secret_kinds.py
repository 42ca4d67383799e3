"""detect-secrets' secret types, by what a finding of each says about the value.

* `LIVE_FORMATS`: a credential with a recognisable live format (cloud, VCS, payment and chat
  tokens, private keys);
* `HIGH_FORMATS`: basic-auth URLs and JSON web tokens, credentials whose format is clear but
  whose value may be a placeholder;
* `GRADED`: keyword assignments (`password = "…"`), graded by the evidence in the value
  (`baton.agents.builtin.secret_strength`): from LOW for a placeholder to CRITICAL for a
  long, high-entropy literal given to a secret-named key;
* `GUESSES`: bare high-entropy strings, with no key saying what they are;
* `INFORMATIONAL`: values that are no secret by themselves.

The security agent grades its findings by these; the redactor recognises on sight the values
of the formats precise enough for it (`PATTERN_FORMATS`, through detect-secrets' patterns).
Some kinds are found by baton's own scan (`baton.agents.builtin.secret_formats`), under the
same names: `PRIVATE_KEY` for the key headers detect-secrets does not know, `GOOGLE_API_KEY`.
"""

from __future__ import annotations

PRIVATE_KEY = "Private Key"
GOOGLE_API_KEY = "Google API Key"
LIVE_FORMATS = frozenset(
    {
        "Artifactory Credentials",
        "AWS Access Key",
        "Azure Storage Account access key",
        "Cloudant Credentials",
        "Discord Bot Token",
        "GitHub Token",
        "GitLab Token",
        GOOGLE_API_KEY,
        "IBM Cloud IAM Key",
        "IBM COS HMAC Credentials",
        "Mailchimp Access Key",
        "NPM tokens",
        "OpenAI Token",
        PRIVATE_KEY,
        "PyPI Token",
        "SendGrid API Key",
        "Slack Token",
        "SoftLayer Credentials",
        "Square OAuth Secret",
        "Stripe Access Key",
        "Telegram Bot Token",
        "Twilio API Key",
    }
)
HIGH_FORMATS = frozenset({"Basic Auth Credentials", "JSON Web Token"})
KEYWORD = "Secret Keyword"
GRADED = frozenset({KEYWORD})
GUESSES = frozenset({"Base64 High Entropy String", "Hex High Entropy String"})
INFORMATIONAL = frozenset({"Public IP (ipv4)"})
CREDENTIAL_FORMATS = LIVE_FORMATS | HIGH_FORMATS
"""Formats that are credentials whatever surrounds them: the only ones counted in binary files."""
PATTERN_FORMATS = (LIVE_FORMATS - {PRIVATE_KEY}) | HIGH_FORMATS
"""Formats whose patterns are precise enough to redact on sight (a private key is redacted
over its whole block, not by its BEGIN line)."""
OWN_PATTERNS = {GOOGLE_API_KEY: r"(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])"}
"""The patterns of the formats in `PATTERN_FORMATS` that baton finds itself rather than through
a detect-secrets plugin, for the redactor to recognise on sight as well."""
