// Not a scenario: a name with spaces and no client. `--scenario-module` refuses it (exit 2).
export default { name: "Bad Name", transports: ["tcp"], handle() {} };
