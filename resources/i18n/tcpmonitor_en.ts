<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Banner</name>
    <message numerus="yes">
        <source>%n notifications: {titles}</source>
        <translation>
            <numerusform>%n notification: {titles}</numerusform>
            <numerusform>%n notifications: {titles}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Chart</name>
    <message numerus="yes">
        <source>%n checks failed</source>
        <translation>
            <numerusform>%n check failed</numerusform>
            <numerusform>%n checks failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ComputerNotices</name>
    <message numerus="yes">
        <source>{up} of {total} connections are up.</source>
        <translation>
            <numerusform>{up} of {total} connection is up.</numerusform>
            <numerusform>{up} of {total} connections are up.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailsDock</name>
    <message numerus="yes">
        <source>%n when this computer was offline</source>
        <translation>
            <numerusform>%n when this computer was offline</numerusform>
            <numerusform>%n when this computer was offline</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in maintenance windows</source>
        <translation>
            <numerusform>%n in a maintenance window</numerusform>
            <numerusform>%n in maintenance windows</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DnsNotices</name>
    <message numerus="yes">
        <source>{n} connections cannot resolve their names: {names}.</source>
        <extracomment>Fewer different names failing together is not evidence about the resolver. While the resolver is out: the named profiles it took down.</extracomment>
        <translation>
            <numerusform>{n} connection cannot resolve its name: {names}.</numerusform>
            <numerusform>{n} connections cannot resolve their names: {names}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{n} connections by name are back up.</source>
        <translation>
            <numerusform>{n} connection by name is back up.</numerusform>
            <numerusform>{n} connections by name are back up.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FailedActions</name>
    <message numerus="yes">
        <source>{n} actions failed: {names}</source>
        <translation>
            <numerusform>{n} action failed: {names}</numerusform>
            <numerusform>{n} actions failed: {names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LogPane</name>
    <message numerus="yes">
        <source>Exported {count} events to {name}</source>
        <translation>
            <numerusform>Exported {count} event to {name}</numerusform>
            <numerusform>Exported {count} events to {name}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NotificationPolicy</name>
    <message numerus="yes">
        <source>{down} of {total} connections went down at once ({causes}): {names}.</source>
        <extracomment>Causes that prove the network works (a peer answered, if only to refuse): drops with these are never taken for this computer being offline. The notice told at once for the window being gathered. Profiles in an outage, with the event that began it. Down since a drop inside a maintenance window: told to nobody, counted nowhere. Set while most profiles are down: the profiles the outage has taken.</extracomment>
        <translation>
            <numerusform>{down} of {total} connections went down at once ({causes}): {names}.</numerusform>
            <numerusform>{down} of {total} connections went down at once ({causes}): {names}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{n} connections are back up.</source>
        <translation>
            <numerusform>{n} connection is back up.</numerusform>
            <numerusform>{n} connections are back up.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{n} connections down: {names}</source>
        <translation>
            <numerusform>{n} connection down: {names}</numerusform>
            <numerusform>{n} connections down: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{n} connections back up: {names}</source>
        <translation>
            <numerusform>{n} connection back up: {names}</numerusform>
            <numerusform>{n} connections back up: {names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notify</name>
    <message numerus="yes">
        <source>{names} and {n} more</source>
        <extracomment>Lines of detail in one notice; daemons cut long bodies anyway. Characters of a name a notice shows: a tray balloon is as wide as its longest line, and one that named a profile of 100 characters ran off the screen, unreadable.</extracomment>
        <translation>
            <numerusform>{names} and {n} more</numerusform>
            <numerusform>{names} and {n} more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Could not check {n} connections: {names}</source>
        <translation>
            <numerusform>Could not check {n} connection: {names}</numerusform>
            <numerusform>Could not check {n} connections: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>…and {n} more</source>
        <translation>
            <numerusform>…and {n} more</numerusform>
            <numerusform>…and {n} more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Problems</name>
    <message numerus="yes">
        <source>The event log fell behind: {n} latency samples were dropped (state changes are all kept).</source>
        <translation>
            <numerusform>The event log fell behind: {n} latency sample was dropped (state changes are all kept).</numerusform>
            <numerusform>The event log fell behind: {n} latency samples were dropped (state changes are all kept).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileActions</name>
    <message numerus="yes">
        <source>Remove {count} connection(s): {names}?
Their stored history is kept.</source>
        <translation>
            <numerusform>Remove {count} connection: {names}?
Its stored history is kept.</numerusform>
            <numerusform>Remove {count} connections: {names}?
Their stored history is kept.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported {count} connections from {file}</source>
        <translation>
            <numerusform>Imported {count} connection from {file}</numerusform>
            <numerusform>Imported {count} connections from {file}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; {count} skipped (already present)</source>
        <translation>
            <numerusform>; {count} skipped (already present)</numerusform>
            <numerusform>; {count} skipped (already present)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported {count} connections to {path}</source>
        <translation>
            <numerusform>Exported {count} connection to {path}</numerusform>
            <numerusform>Exported {count} connections to {path}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileForm</name>
    <message numerus="yes">
        <source> failed checks</source>
        <translation>
            <numerusform> failed check</numerusform>
            <numerusform> failed checks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> good checks</source>
        <translation>
            <numerusform> good check</numerusform>
            <numerusform> good checks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportExport</name>
    <message numerus="yes">
        <source>Report of %n connections written to {path}</source>
        <translation>
            <numerusform>Report of %n connection written to {path}</numerusform>
            <numerusform>Report of %n connections written to {path}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message numerus="yes">
        <source> days</source>
        <translation>
            <numerusform> day</numerusform>
            <numerusform> days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusTooltip</name>
    <message numerus="yes">
        <source>Last {n} checks: {failed} failed</source>
        <translation>
            <numerusform>Last {n} check: {failed} failed</numerusform>
            <numerusform>Last {n} checks: {failed} failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StillDown</name>
    <message numerus="yes">
        <source>%n connections still down: {names}</source>
        <translation>
            <numerusform>%n connection still down: {names}</numerusform>
            <numerusform>%n connections still down: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n connections up again: {names}</source>
        <translation>
            <numerusform>%n connection up again: {names}</numerusform>
            <numerusform>%n connections up again: {names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tested</name>
    <message numerus="yes">
        <source>Tested {count} connections: all connected</source>
        <translation>
            <numerusform>Tested {count} connection: connected</numerusform>
            <numerusform>Tested {count} connections: all connected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tested {count} connections, {failed} failed: {which}</source>
        <translation>
            <numerusform>Tested {count} connection, {failed} failed: {which}</numerusform>
            <numerusform>Tested {count} connections, {failed} failed: {which}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message numerus="yes">
        <source>{n} {state}</source>
        <comment>how many connections are in a state: 3 up</comment>
        <extracomment>Windows cuts tray tooltips at 127 characters; stay clear of it everywhere. The order counts are listed in: the good news first, as a person would say it. Qt&apos;s own balloon (X11) stays open for good if the pointer is over it when its time is up; it is closed this long after its time, wherever the pointer is. How often the tray&apos;s presence is looked at: a panel may crash or the desktop change. The icon&apos;s count is drawn at most this often.</extracomment>
        <translation>
            <numerusform>{n} {state}</numerusform>
            <numerusform>{n} {state}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> and {n} more</source>
        <translation>
            <numerusform> and {n} more</numerusform>
            <numerusform> and {n} more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source>%n not acknowledged</source>
        <translation>
            <numerusform>%n not acknowledged</numerusform>
            <numerusform>%n not acknowledged</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UnreadNote</name>
    <message numerus="yes">
        <source>%n stored events are not shown: this version cannot read them (a kind or state a newer version of TCP Monitor wrote, or a damaged row).</source>
        <translation>
            <numerusform>%n stored event is not shown: this version cannot read it (a kind or state a newer version of TCP Monitor wrote, or a damaged row).</numerusform>
            <numerusform>%n stored events are not shown: this version cannot read them (a kind or state a newer version of TCP Monitor wrote, or a damaged row).</numerusform>
        </translation>
    </message>
</context>
</TS>
