#!/usr/bin/env bash
# Install pao for the validation actions.
#
#   PAO_VERSION  a release ("0.2.0") or any pip requirement; wins when set
#   PAO_REF      a git ref of the repository the action comes from
#   PAO_REPO_URL that repository's clone URL (used with PAO_REF)
#   PAO_SOURCE   the pao source tree the action was checked out with
#   PAO_PIP      the pip command (default: python -m pip)
set -euo pipefail

if [[ -n "${PAO_VERSION:-}" ]]; then
  if [[ "$PAO_VERSION" =~ ^[0-9][0-9A-Za-z.+!-]*$ ]]; then
    spec="pao==$PAO_VERSION"
  else
    spec="$PAO_VERSION"
  fi
elif [[ -n "${PAO_REF:-}" ]]; then
  spec="pao @ git+${PAO_REPO_URL:?PAO_REPO_URL is needed with PAO_REF}@${PAO_REF}"
else
  spec="${PAO_SOURCE:?PAO_SOURCE is needed without PAO_VERSION or PAO_REF}"
fi

read -r -a pip <<<"${PAO_PIP:-python -m pip}"
"${pip[@]}" install --disable-pip-version-check --quiet "$spec"
pao --version
