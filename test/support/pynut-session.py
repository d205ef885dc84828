# A PyNUT (NUT 2.8.0's python3-nut, module PyNUT 1.4.0) session against one server, printing one
# line per call: the call, then its result or the exception it raised. Run by
# test/interop/pynut.test.ts against real upsd and nutctl; the two transcripts must be equal.
#
# PyNUT 1.4.0 has no GetCommandDescription / GetRWVarDescription / CheckUPSAvailable (later
# python clients do); the "-like" calls below send what those send over PyNUT's own connection.
#
# usage: pynut-session.py PORT
import sys

import PyNUT

PORT = int(sys.argv[1])


def show(name, call):
    try:
        text = repr(call())
    except Exception as e:  # the exception type and text are part of what a script sees
        text = "raises %s%r" % (type(e).__name__, e.args)
    print("%s -> %s" % (name, text), flush=True)


def raw(client, line):
    """One request on PyNUT's own telnet connection; the reply line."""
    conn = client._PyNUTClient__srv_handler
    conn.write(line.encode("ascii") + b"\n")
    return conn.read_until(b"\n", 5)


anon = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT)
show("ver", anon.ver)
show("help", anon.help)
# the desc of [quoted] holds \" and \#: PyNUT's split on '"' cannot unpack it
show("GetUPSList", anon.GetUPSList)
show("GetUPSVars bvk", lambda: anon.GetUPSVars("bvk"))
show("GetUPSVars nodrv", lambda: anon.GetUPSVars("nodrv"))
show("GetUPSVars nosuch", lambda: anon.GetUPSVars("nosuch"))
show("GetRWVars bvk", lambda: anon.GetRWVars("bvk"))
show("GetRWVars nodrv", lambda: anon.GetRWVars("nodrv"))
show("GetUPSCommands bvk", lambda: anon.GetUPSCommands("bvk"))
show("GetUPSCommands nodrv", lambda: anon.GetUPSCommands("nodrv"))
show("GetCommandDescription-like bvk load.off", lambda: raw(anon, "GET CMDDESC bvk load.off"))
show("GetCommandDescription-like bvk bogus.cmd", lambda: raw(anon, "GET CMDDESC bvk bogus.cmd"))
show("GetRWVarDescription-like bvk battery.charge.low", lambda: raw(anon, "GET DESC bvk battery.charge.low"))
show("GetRWVarType-like bvk battery.charge.low", lambda: raw(anon, "GET TYPE bvk battery.charge.low"))
show("GetUPSDescription-like quoted", lambda: raw(anon, "GET UPSDESC quoted"))
show("CheckUPSAvailable-like bvk", lambda: raw(anon, "GET VAR bvk ups.status"))
show("CheckUPSAvailable-like nodrv", lambda: raw(anon, "GET VAR nodrv ups.status"))
show("CheckUPSAvailable-like nosuch", lambda: raw(anon, "GET VAR nosuch ups.status"))
show("GetNumLogins-like bvk", lambda: raw(anon, "GET NUMLOGINS bvk"))
# PyNUT 1.4.0 sends LIST CLIENTS (sic), which upsd 2.8.0 rejects
show("ListClients", anon.ListClients)
show("ListClients bvk", lambda: anon.ListClients("bvk"))
show("SetRWVar anonymous", lambda: anon.SetRWVar("bvk", "battery.charge.low", "20"))
show("RunUPSCommand anonymous", lambda: anon.RunUPSCommand("bvk", "load.off"))

admin = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT, login="admin", password="adminpass")
show("SetRWVar admin", lambda: admin.SetRWVar("bvk", "battery.charge.low", "20"))
show("SetRWVar admin unknown var", lambda: admin.SetRWVar("bvk", "bogus.var", "1"))
show("SetRWVar admin nodrv", lambda: admin.SetRWVar("nodrv", "battery.charge.low", "20"))
show("RunUPSCommand admin", lambda: admin.RunUPSCommand("bvk", "load.off"))
show("RunUPSCommand admin unknown", lambda: admin.RunUPSCommand("bvk", "bogus.cmd"))
show("FSD admin (no upsmon primary)", lambda: admin.FSD("bvk"))

viewer = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT, login="viewer", password="viewpass")
show("SetRWVar viewer", lambda: viewer.SetRWVar("bvk", "battery.charge.low", "30"))
show("RunUPSCommand viewer", lambda: viewer.RunUPSCommand("bvk", "load.off"))

wrong = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT, login="admin", password="wrong")
show("SetRWVar wrong password", lambda: wrong.SetRWVar("bvk", "battery.charge.low", "30"))
show("RunUPSCommand wrong password", lambda: wrong.RunUPSCommand("bvk", "load.off"))

secondary = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT, login="monsec", password="secpass")
show("FSD upsmon secondary", lambda: secondary.FSD("bvk"))

primary = PyNUT.PyNUTClient(host="127.0.0.1", port=PORT, login="monpri", password="pripass")
show("FSD upsmon primary", lambda: primary.FSD("quoted"))
show("FSD upsmon primary nodrv", lambda: primary.FSD("nodrv"))
show("CheckUPSAvailable-like quoted after FSD", lambda: raw(anon, "GET VAR quoted ups.status"))
show("GetNumLogins-like quoted after FSD", lambda: raw(anon, "GET NUMLOGINS quoted"))
