"""Environment 1, the government service office: its vocabulary and typed models, the
native env (``office.env``), the rulesets (``office.rulesets``: ``legacy`` and
``standard``), the policy ladder (``office.policies``) and the encodings every face reads
(``office.encoding``: features, the action table, exact masks; numpy, no gymnasium)."""
