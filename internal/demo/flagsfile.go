package demo

// FlagKey is the flag whose rollout causes the demo incident; switching it
// off (defaultVariant "off" or state DISABLED) ends it.
const FlagKey = "async-writes"

// initialFlags is the flags file the story starts from: async-writes just
// rolled out to everyone, plus two harmless flags with targeting so the
// Flags pane has more than one row and the kill switch has to pick the
// right one.
const initialFlags = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "async-writes": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "on",
      "metadata": {"owner": "predictions-team", "description": "Flush prediction state updates to the database asynchronously"}
    },
    "new-checkout": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off",
      "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "on", null]}
    },
    "search-backend": {
      "state": "ENABLED",
      "variants": {"legacy": "solr", "v2": "opensearch"},
      "defaultVariant": "legacy",
      "targeting": {"if": [{"in": [{"var": "region"}, ["eu-west-1", "eu-central-1"]]}, "v2", null]}
    }
  }
}
`
