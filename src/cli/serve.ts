import { defineCommand } from "citty"

export default defineCommand({
  meta: { name: "serve", description: "Run the NUT server (drop-in upsd) and the components this host's role needs" },
  args: {
    "nut-config": { type: "string", description: "Read NUT's own files (ups.conf, upsd.conf, upsd.users) from DIR" },
    demo: { type: "boolean", description: "Serve the embedded simulated APC Back-UPS BX1600MI on 127.0.0.1:3493" },
  },
  async run() {
    console.log("serve: not wired yet")
  },
})
