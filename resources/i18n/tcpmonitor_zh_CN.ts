<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>About</name>
    <message>
        <source>About TCP Monitor</source>
        <translation>关于 TCP Monitor</translation>
    </message>
    <message>
        <source>Watches TCP connections and tells you at once, with the cause, when one drops and when it comes back.</source>
        <translation>监视 TCP 连接：连接断开或恢复时立即告诉你，并说明原因。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Dismiss: {title}</source>
        <extracomment>At most this part of the screen&apos;s free height: a longer message scrolls. A notice&apos;s seven lines at 150 % on a 1024 x 600 screen made the window taller than the screen, its status line (the counts) below the screen&apos;s edge. The colours of the states a message is about: a drop reads like a ``down`` row. The most notices listed at once: beyond that the oldest info leaves for a new one, a warning only when all are warnings (a burst of recoveries pushed a drop out before its time). Problems still so (``about``, ``problem``) are not counted and never pushed out: they are few, and six of them at a start pushed out every drop the moment it came. By key, the newest last. The lines (a text and its close button), made once and reused (a thousand notices made a thousand widgets, each restyled at every one after it), and the key of the message each shows now, the newest first.</extracomment>
        <translation>关闭：{title}</translation>
    </message>
    <message>
        <source>Notification: {title}</source>
        <translation>通知：{title}</translation>
    </message>
    <message numerus="yes">
        <source>%n notifications: {titles}</source>
        <translation>
            <numerusform>%n 条通知：{titles}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Cause</name>
    <message>
        <source>refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>reset</source>
        <translation>连接被重置</translation>
    </message>
    <message>
        <source>closed by peer</source>
        <translation>对端关闭连接</translation>
    </message>
    <message>
        <source>connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>heartbeat timeout</source>
        <translation>心跳超时</translation>
    </message>
    <message>
        <source>keepalive timeout</source>
        <translation>保活超时</translation>
    </message>
    <message>
        <source>unexpected reply</source>
        <translation>意外的应答</translation>
    </message>
    <message>
        <source>dns error</source>
        <translation>DNS 解析失败</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>不可达</translation>
    </message>
    <message>
        <source>tls error</source>
        <translation>TLS 错误</translation>
    </message>
    <message>
        <source>local error</source>
        <translation>本地错误</translation>
    </message>
    <message>
        <source>local network</source>
        <translation>本机网络</translation>
    </message>
    <message>
        <source>{cause} (a cause this version does not know)</source>
        <translation>{cause}（此版本不认识的原因）</translation>
    </message>
</context>
<context>
    <name>Chart</name>
    <message>
        <source>Latency and outages chart</source>
        <extracomment>Shaded spans drawn at most (a flapping target&apos;s month): closer ones are merged first.</extracomment>
        <translation>延迟与中断图表</translation>
    </message>
    <message>
        <source>latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>No checks were stored in this period.</source>
        <translation>此时间段内没有保存任何检查结果。</translation>
    </message>
    <message>
        <source>No check measured a latency in this period.</source>
        <translation>此时间段内没有任何检查测得延迟。</translation>
    </message>
    <message>
        <source>min {low} · mean {mean} · max {high} ms</source>
        <translation>最小 {low} · 平均 {mean} · 最大 {high} 毫秒</translation>
    </message>
    <message numerus="yes">
        <source>%n checks failed</source>
        <translation>
            <numerusform>%n 次检查失败</numerusform>
        </translation>
    </message>
    <message>
        <source>down: {cause}</source>
        <translation>断开:{cause}</translation>
    </message>
</context>
<context>
    <name>ComputerNotices</name>
    <message>
        <source>This computer&apos;s link to most servers is down</source>
        <extracomment>After the network returns, how long recoveries are awaited to be told together. After waking, how long drops are awaited to recover before they are told. After the routes changed, the same. A drop held in a wait is awaited at least this long. While this computer&apos;s network is down: the event that said so. Whether &quot;offline&quot; is yet to be told (it went down while asleep or waking). The wait holds every drop (a sleep&apos;s), not only those cut by a change. Drops held across a sleep, by profile.</extracomment>
        <translation>本机通往多数服务器的链路已断开</translation>
    </message>
    <message>
        <source>This computer&apos;s network is up, but its route to them goes through {links}, which has no carrier: a cable may be out.</source>
        <translation>本机网络正常，但通往它们的路由经过 {links}，而该链路没有载波信号：可能是网线已拔出。</translation>
    </message>
    <message>
        <source>This computer has no route to most servers</source>
        <translation>本机没有通往多数服务器的路由</translation>
    </message>
    <message>
        <source>This computer&apos;s network is up, but it has no route to them: a default route or a VPN may be gone.</source>
        <translation>本机网络正常，但没有通往它们的路由：可能是默认路由或 VPN 已消失。</translation>
    </message>
    <message>
        <source>This computer&apos;s network is up, but it has no route to some of them; for the others a router or link beyond it may be down.</source>
        <translation>本机网络正常，但没有通往其中一部分的路由；其余的可能是本机之外的路由器或线路断开了。</translation>
    </message>
    <message>
        <source>No network route leaves this computer.</source>
        <translation>本机没有任何可用的网络路由。</translation>
    </message>
    <message>
        <source>Connections that drop meanwhile are recorded, not told one by one.</source>
        <translation>在此期间断开的连接会被记录，但不会逐一通知。</translation>
    </message>
    <message>
        <source>This computer is offline</source>
        <translation>本机已离线</translation>
    </message>
    <message numerus="yes">
        <source>{up} of {total} connections are up.</source>
        <translation>
            <numerusform>{total} 个连接中有 {up} 个已连通。</numerusform>
        </translation>
    </message>
    <message>
        <source> Still down: {names}.</source>
        <translation>仍断开：{names}。</translation>
    </message>
    <message>
        <source>Back online</source>
        <translation>已恢复在线</translation>
    </message>
</context>
<context>
    <name>Demo</name>
    <message>
        <source>Demo echo</source>
        <translation>演示：回显</translation>
    </message>
    <message>
        <source>Demo Redis</source>
        <translation>演示：Redis</translation>
    </message>
    <message>
        <source>Demo web</source>
        <translation>演示：网站</translation>
    </message>
    <message>
        <source>Demo flaky link</source>
        <translation>演示：不稳定链路</translation>
    </message>
    <message>
        <source>demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Part of the demo: not saved, gone when the program quits.</source>
        <translation>演示的一部分：不会保存，程序退出时消失。</translation>
    </message>
    <message>
        <source>Demo started: its connections are not saved; the flaky link fails and recovers every minute or so.</source>
        <translation>演示已启动：演示连接不会被保存；那条不稳定的链路大约每分钟断开并恢复一次。</translation>
    </message>
</context>
<context>
    <name>Detail</name>
    <message>
        <source>{detail} ({n} of {m} failures)</source>
        <extracomment>The outer layers first: the state machine&apos;s count around the monitor&apos;s reason around the detector&apos;s around a connect&apos;s; each matched whole (``$``), the rest of its text inside.</extracomment>
        <translation>{detail}（{m} 次失败中的第 {n} 次）</translation>
    </message>
    <message>
        <source>{detail}; right after {change}</source>
        <translation>{detail}；此前刚发生：{change}</translation>
    </message>
    <message>
        <source>{detail}; {n} changes before it not stored (the event log could not be written)</source>
        <translation>{detail}；此前的 {n} 次变化未保存（无法写入事件日志）</translation>
    </message>
    <message>
        <source>{detail}; a new connection: {more}</source>
        <translation>{detail}；新建连接：{more}</translation>
    </message>
    <message>
        <source>{detail} after {duration} with nothing said, like the one before: likely an idle timeout, the server&apos;s own or on the way (a proxy, load balancer or firewall); a heartbeat keeps the connection busy</source>
        <translation>{detail}，连接持续 {duration} 且未收到任何数据，与上一个连接相同：可能是空闲超时，来自服务器本身或途中（代理、负载均衡器或防火墙）；心跳可使连接保持活动</translation>
    </message>
    <message>
        <source>{detail} after {duration}, ending with {said}</source>
        <translation>{detail}，连接持续 {duration}，最后收到 {said}</translation>
    </message>
    <message>
        <source>{detail} after {duration}, saying {said}</source>
        <translation>{detail}，连接持续 {duration}，收到 {said}</translation>
    </message>
    <message>
        <source>{detail} after {duration}</source>
        <translation>{detail}，连接持续 {duration}</translation>
    </message>
    <message>
        <source>{detail} {duration} after our request, unanswered</source>
        <translation>{detail}，发生在我们发出请求 {duration} 后，请求未获应答</translation>
    </message>
    <message>
        <source>{detail} as our request went out, unanswered</source>
        <translation>{detail}，恰在我们发出请求时，请求未获应答</translation>
    </message>
    <message>
        <source>{detail} before our request</source>
        <translation>{detail}，在我们发出请求之前</translation>
    </message>
    <message>
        <source>the engine is not running</source>
        <translation>监控尚未运行</translation>
    </message>
    <message>
        <source>could not check: {detail}</source>
        <translation>无法检查：{detail}</translation>
    </message>
    <message>
        <source>{detail}, to look up {host}</source>
        <translation>{detail}（查询 {host} 时）</translation>
    </message>
    <message>
        <source>{detail}, to read the CA file {file}</source>
        <translation>{detail}（读取 CA 文件 {file} 时）</translation>
    </message>
    <message>
        <source>this program is out of open files (its limit, ulimit -n: {n})</source>
        <translation>本程序的打开文件数已用尽（其上限，ulimit -n：{n}）</translation>
    </message>
    <message>
        <source>this program is out of open files</source>
        <translation>本程序的打开文件数已用尽</translation>
    </message>
    <message>
        <source>this computer is out of open files (the system&apos;s limit, fs.file-max)</source>
        <translation>本机的打开文件数已用尽（系统上限，fs.file-max）</translation>
    </message>
    <message>
        <source>this computer is out of memory for connections ({why})</source>
        <translation>本机用于连接的内存已用尽（{why}）</translation>
    </message>
    <message>
        <source>no local port is free to connect from (ip_local_port_range: {ports})</source>
        <translation>本机没有可用于发起连接的空闲端口（ip_local_port_range：{ports}）</translation>
    </message>
    <message>
        <source>no local port is free to connect from</source>
        <translation>本机没有可用于发起连接的空闲端口</translation>
    </message>
    <message>
        <source>{detail} (tried {tried}; {n} more not tried after {m} gave no answer)</source>
        <translation>{detail}（已尝试 {tried}；{m} 个地址无应答后，其余 {n} 个未尝试）</translation>
    </message>
    <message>
        <source>{detail} (tried {tried})</source>
        <translation>{detail}（已尝试 {tried}）</translation>
    </message>
    <message>
        <source>{detail} (this program&apos;s limit, ulimit -n: {n})</source>
        <translation>{detail}（本程序的上限，ulimit -n：{n}）</translation>
    </message>
    <message>
        <source>this computer&apos;s network is up (it went down at least {n} times in {duration})</source>
        <translation>本机网络已连通（{duration} 内至少断开了 {n} 次）</translation>
    </message>
    <message>
        <source>{detail} (it went down at least {n} times in {duration})</source>
        <translation>{detail}（{duration} 内至少断开了 {n} 次）</translation>
    </message>
    <message>
        <source>connected to {address} ({timings})</source>
        <translation>已连接到 {address}（{timings}）</translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>connection reset by peer</source>
        <translation>连接被对端重置</translation>
    </message>
    <message>
        <source>connection closed by peer</source>
        <translation>连接被对端关闭</translation>
    </message>
    <message>
        <source>connection closed locally</source>
        <translation>连接在本机被关闭</translation>
    </message>
    <message>
        <source>peer closed the connection (FIN)</source>
        <translation>对端关闭了连接（FIN）</translation>
    </message>
    <message>
        <source>peer stopped acknowledging (keepalive/user timeout)</source>
        <translation>对端不再确认（保活/用户超时）</translation>
    </message>
    <message>
        <source>no answer to connect</source>
        <translation>连接无应答</translation>
    </message>
    <message>
        <source>no answer to connect within {duration}</source>
        <translation>{duration} 内连接无应答</translation>
    </message>
    <message>
        <source>certificate not trusted: {why}</source>
        <translation>证书不受信任：{why}</translation>
    </message>
    <message>
        <source>TLS handshake failed: {why}</source>
        <translation>TLS 握手失败：{why}</translation>
    </message>
    <message>
        <source>no answer within {duration}</source>
        <translation>{duration} 内无应答</translation>
    </message>
    <message>
        <source>TLS: {why}</source>
        <translation>TLS：{why}</translation>
    </message>
    <message>
        <source>the peer answered, but not in TLS (a plain-text port?)</source>
        <translation>对端有应答，但不是 TLS（是明文端口？）</translation>
    </message>
    <message>
        <source>the peer closed the connection during the handshake</source>
        <translation>对端在握手期间关闭了连接</translation>
    </message>
    <message>
        <source>the peer takes none of the TLS versions offered</source>
        <translation>对端不接受所提供的任何 TLS 版本</translation>
    </message>
    <message>
        <source>the peer refused the handshake (nothing in common)</source>
        <translation>对端拒绝了握手（双方没有共同支持的参数）</translation>
    </message>
    <message>
        <source>the peer does not know the server name sent</source>
        <translation>对端不认识所发送的服务器名称</translation>
    </message>
    <message>
        <source>the peer asks for a client certificate</source>
        <translation>对端要求客户端证书</translation>
    </message>
    <message>
        <source>CA file {file}: {why}</source>
        <translation>CA 文件 {file}：{why}</translation>
    </message>
    <message>
        <source>internal error: {why}</source>
        <translation>内部错误：{why}</translation>
    </message>
    <message>
        <source>{what}: got {said}</source>
        <translation>{what}：收到 {said}</translation>
    </message>
    <message>
        <source>{what}: over 64 KiB with no match, starting {said}</source>
        <translation>{what}：超过 64 KiB 仍无匹配，开头是 {said}</translation>
    </message>
    <message>
        <source>{what}: connection ended after {said}</source>
        <translation>{what}：收到 {said} 后连接结束</translation>
    </message>
    <message>
        <source>{what}: reply {said} did not match</source>
        <translation>{what}：应答 {said} 不匹配</translation>
    </message>
    <message>
        <source>{what}: incomplete within {duration}, got {said}</source>
        <translation>{what}：{duration} 内未收完整，收到 {said}</translation>
    </message>
    <message>
        <source>{what}: no reply within {duration}</source>
        <translation>{what}：{duration} 内无应答</translation>
    </message>
    <message>
        <source>latency {ms} ms over {most} ms</source>
        <translation>延迟 {ms} ms，超过 {most} ms</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>resumed</source>
        <translation>已继续</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>monitoring stopped</source>
        <translation>监控已停止</translation>
    </message>
    <message>
        <source>target changed</source>
        <translation>目标已更改</translation>
    </message>
    <message>
        <source>still down after its maintenance window</source>
        <translation>维护时段结束后仍然断开</translation>
    </message>
    <message>
        <source>still down, no longer for this computer&apos;s network: {detail}</source>
        <translation>仍然断开，已不是本机网络的原因：{detail}</translation>
    </message>
    <message>
        <source>recorded here from now on: the program that recorded it stopped</source>
        <translation>从现在起由本程序记录：原先记录它的程序已停止</translation>
    </message>
    <message>
        <source>{n} changes before it not stored (the event log could not be written)</source>
        <translation>此前的 {n} 次变化未保存（无法写入事件日志）</translation>
    </message>
    <message>
        <source>lookup of {host} got no answer within {duration}</source>
        <translation>查询 {host} 在 {duration} 内无应答</translation>
    </message>
    <message>
        <source>{name} is not an {family} address</source>
        <translation>{name} 不是 {family} 地址</translation>
    </message>
    <message>
        <source>{host}: resolver busy ({detail})</source>
        <translation>{host}：解析器繁忙（{detail}）</translation>
    </message>
    <message>
        <source>{n} lookups wait on names that did not answer before</source>
        <translation>{n} 个查询正在等待之前无应答的名称</translation>
    </message>
    <message>
        <source>all {n} lookups are waiting for answers</source>
        <translation>全部 {n} 个查询都在等待应答</translation>
    </message>
    <message>
        <source>{host}: no such name ({system})</source>
        <translation>{host}：没有这个名称（{system}）</translation>
    </message>
    <message>
        <source>{host}: no {family} address, or no such name ({system})</source>
        <translation>{host}：没有 {family} 地址，或没有这个名称（{system}）</translation>
    </message>
    <message>
        <source>{host}: {system}</source>
        <translation>{host}：{system}</translation>
    </message>
    <message>
        <source>no network interface {scope} on this computer</source>
        <translation>本机没有网络接口 {scope}</translation>
    </message>
    <message>
        <source>this computer has no route to {ip}</source>
        <translation>本机没有到 {ip} 的路由</translation>
    </message>
    <message>
        <source>this computer&apos;s route to {ip} goes through {link}, which has no carrier</source>
        <translation>本机到 {ip} 的路由经过 {link}，但该链路没有载波信号</translation>
    </message>
    <message>
        <source>cut: this computer&apos;s address {ip} is gone, right after {change}</source>
        <translation>已切断：本机地址 {ip} 已消失；此前刚发生：{change}</translation>
    </message>
    <message>
        <source>cut: this computer&apos;s address {ip} is gone</source>
        <translation>已切断：本机地址 {ip} 已消失</translation>
    </message>
    <message>
        <source>cut: this computer&apos;s address {ip} is on {link}, which is down, right after {change}</source>
        <translation>已切断：本机地址 {ip} 所在的 {link} 已断开；此前刚发生：{change}</translation>
    </message>
    <message>
        <source>cut: this computer&apos;s address {ip} is on {link}, which is down</source>
        <translation>已切断：本机地址 {ip} 所在的 {link} 已断开</translation>
    </message>
    <message>
        <source>this computer&apos;s network is down (no link is up)</source>
        <translation>本机网络已断开（没有已连接的链路）</translation>
    </message>
    <message>
        <source>this computer&apos;s network is down (no route leaves it)</source>
        <translation>本机网络已断开（没有通往外部的路由）</translation>
    </message>
    <message>
        <source>this computer&apos;s network is down (only the tunnel {links} is up, with no link out under it)</source>
        <translation>本机网络已断开（只有隧道 {links} 处于连接状态，其下没有通往外部的链路）</translation>
    </message>
    <message>
        <source>this computer&apos;s network changed: default route now {routes}</source>
        <translation>本机网络已变化：默认路由现为 {routes}</translation>
    </message>
    <message>
        <source>this computer&apos;s network changed: default route {routes} gone</source>
        <translation>本机网络已变化：默认路由 {routes} 已消失</translation>
    </message>
    <message>
        <source>this computer&apos;s network changed: no default route now</source>
        <translation>本机网络已变化：现在没有默认路由</translation>
    </message>
    <message>
        <source>this computer&apos;s network changed: {changes}</source>
        <translation>本机网络已变化：{changes}</translation>
    </message>
    <message>
        <source>this computer is going to sleep</source>
        <translation>本机即将休眠</translation>
    </message>
    <message>
        <source>this computer woke up after {duration}</source>
        <translation>本机在休眠 {duration} 后唤醒</translation>
    </message>
    <message>
        <source>this computer slept for {duration} (its clocks say so)</source>
        <translation>本机休眠了 {duration}（据其时钟）</translation>
    </message>
    <message>
        <source>monitoring ended unexpectedly; this is when it last checked</source>
        <translation>监控意外结束；这是它最后一次检查的时间</translation>
    </message>
    <message>
        <source>awake by this boot at the latest (no wake was heard after the last sleep)</source>
        <translation>最迟在本次开机时已唤醒（上次睡眠之后未收到唤醒）</translation>
    </message>
    <message>
        <source>awake by then at the latest: a program wrote this log (no wake was heard after the last sleep)</source>
        <translation>最迟在此时已唤醒：当时有程序写入了此日志（上次睡眠之后未收到唤醒）</translation>
    </message>
    <message>
        <source>{on} action {command}: {result}</source>
        <translation>{on}时的操作 {command}：{result}</translation>
    </message>
    <message>
        <source>{detail}; {more}</source>
        <translation>{detail}；{more}</translation>
    </message>
    <message>
        <source>{result} (one notice for {n} changes)</source>
        <extracomment>How an action went (``{result}``), as ``core.action_runner`` says it.</extracomment>
        <translation>{result}（{n} 次变化合为一条通知）</translation>
    </message>
    <message>
        <source>{result}, told again (not delivered at first)</source>
        <translation>{result}，再次发送（最初未送达）</translation>
    </message>
    <message>
        <source>exit {n} in {duration}</source>
        <translation>{duration} 后退出，退出码 {n}</translation>
    </message>
    <message>
        <source>killed by signal {n} after {duration}</source>
        <translation>{duration} 后被信号 {n} 终止</translation>
    </message>
    <message>
        <source>timed out after {duration} (killed)</source>
        <translation>{duration} 后超时（已终止）</translation>
    </message>
    <message>
        <source>cannot run: {program}, named in its #! line: {system}</source>
        <translation>无法运行：其 #! 行指定的 {program}：{system}</translation>
    </message>
    <message>
        <source>cannot run: {why}</source>
        <translation>无法运行：{why}</translation>
    </message>
    <message>
        <source>sent in {duration}</source>
        <translation>已发送，用时 {duration}</translation>
    </message>
    <message>
        <source>sent after all in {duration}, past its timeout</source>
        <translation>超时之后仍已发送，用时 {duration}</translation>
    </message>
    <message>
        <source>not sent ({duration})</source>
        <translation>未发送（{duration}）</translation>
    </message>
    <message>
        <source>not sent within {duration}</source>
        <translation>{duration} 内未发送</translation>
    </message>
    <message>
        <source>not sent: Apprise cannot be used ({why})</source>
        <translation>未发送：无法使用 Apprise（{why}）</translation>
    </message>
    <message>
        <source>not sent: Apprise failed ({why})</source>
        <translation>未发送：Apprise 失败（{why}）</translation>
    </message>
    <message>
        <source>not sent: {n} notices are still being sent, unfinished</source>
        <translation>未发送：仍有 {n} 条通知正在发送，尚未完成</translation>
    </message>
    <message>
        <source>not sent: {state} was told {n} s ago (once in {duration})</source>
        <translation>未发送：“{state}”已在 {n} 秒前通知过（{duration} 内只通知一次）</translation>
    </message>
    <message>
        <source>skipped: {n} actions wait</source>
        <translation>已跳过：有 {n} 个操作在等待</translation>
    </message>
    <message>
        <source>skipped: {n} actions of this connection wait</source>
        <translation>已跳过：此连接有 {n} 个操作在等待</translation>
    </message>
    <message>
        <source>not run: down when last watched too (before the restart or a pause), not a new drop</source>
        <translation>未运行：上次监视时（重启或暂停之前）也已断开，不是新的断开</translation>
    </message>
    <message>
        <source>not run: {state} when last watched too (before the restart or a pause), not a change</source>
        <translation>未运行：上次监视时（重启或暂停之前）也是{state}，没有变化</translation>
    </message>
    <message>
        <source>{result}: {output}</source>
        <translation>{result}：{output}</translation>
    </message>
    <message>
        <source>address {addresses} gone (now {now})</source>
        <extracomment>The parts of &quot;this computer&apos;s network changed: ...&quot; (``{changes}``), joined by &quot;; &quot;.</extracomment>
        <translation>地址 {addresses} 已消失（现为 {now}）</translation>
    </message>
    <message>
        <source>address {addresses} gone</source>
        <translation>地址 {addresses} 已消失</translation>
    </message>
    <message>
        <source>addresses {addresses} gone (now {now})</source>
        <translation>地址 {addresses} 已消失（现为 {now}）</translation>
    </message>
    <message>
        <source>addresses {addresses} gone</source>
        <translation>地址 {addresses} 已消失</translation>
    </message>
    <message>
        <source>new route {routes}</source>
        <translation>新路由 {routes}</translation>
    </message>
    <message>
        <source>route gone {routes}</source>
        <translation>路由已消失 {routes}</translation>
    </message>
    <message>
        <source>reply</source>
        <extracomment>What ``{what}`` holds (which answer of the peer&apos;s it was) and ``{on}`` (the change an action is for).</extracomment>
        <translation>应答</translation>
    </message>
    <message>
        <source>greeting</source>
        <translation>欢迎信息</translation>
    </message>
    <message>
        <source>down</source>
        <translation>断开</translation>
    </message>
    <message>
        <source>up</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>DNS</source>
        <extracomment>The steps of a check that ``core.sample.Timings`` times, by the name it gives them.</extracomment>
        <translation>DNS</translation>
    </message>
    <message>
        <source>connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>kernel RTT</source>
        <translation>内核 RTT</translation>
    </message>
    <message>
        <source>{n} more addresses: {counted}</source>
        <extracomment>The tail of a connect&apos;s &quot;tried&quot; list past the addresses it names (``core.connect.tried``).</extracomment>
        <translation>另外 {n} 个地址：{counted}</translation>
    </message>
</context>
<context>
    <name>DetailsDock</name>
    <message>
        <source>1 h</source>
        <extracomment>While shown, the history is read again this often, and this long after a state change. A profile&apos;s state, since when (wall clock), the seconds really passed since and whether it was so before the restart too (``StatusModel.in_state``). Below this part of an uptime&apos;s window watched, the uptime says how long it was. ``PERIODS``&apos; names as the window&apos;s language writes them (the Chinese window read &quot;7 d&quot; beside &quot;持续 12 秒&quot;): for lupdate; ``period_text`` translates them.</extracomment>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 小时</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 天</translation>
    </message>
    <message>
        <source>30 d</source>
        <translation>30 天</translation>
    </message>
    <message>
        <source>Details</source>
        <extracomment>The history shown was read (for tests and the curious): the profile id.</extracomment>
        <translation>详情</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <extracomment>What the table knows of the drop going on (``_until``).</extracomment>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>在线率</translation>
    </message>
    <message>
        <source>Outages (30 d)</source>
        <translation>中断次数(30 天)</translation>
    </message>
    <message>
        <source>Mean time to recover</source>
        <translation>平均恢复时间</translation>
    </message>
    <message>
        <source>Longest outage</source>
        <translation>最长中断</translation>
    </message>
    <message>
        <source>Degraded (30 d)</source>
        <translation>降级时长(30 天)</translation>
    </message>
    <message>
        <source>Outages</source>
        <translation>中断记录</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>持续时间</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>结束方式</translation>
    </message>
    <message>
        <source>Select a connection to see its history.</source>
        <translation>选择一个连接以查看其历史。</translation>
    </message>
    <message>
        <source>The history cannot be read: {error}</source>
        <translation>无法读取历史：{error}</translation>
    </message>
    <message>
        <source>(of {duration} watched)</source>
        <translation>（仅监视了 {duration}）</translation>
    </message>
    <message>
        <source>{window}: {uptime}</source>
        <translation>{window}：{uptime}</translation>
    </message>
    <message numerus="yes">
        <source>%n when this computer was offline</source>
        <translation>
            <numerusform>%n 次发生在本机离线时</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in maintenance windows</source>
        <translation>
            <numerusform>%n 次在维护时段内</numerusform>
        </translation>
    </message>
    <message>
        <source>{count} (not counted: {outages})</source>
        <translation>{count}（不计入：{outages}）</translation>
    </message>
    <message>
        <source>{duration}, from {start} ({cause})</source>
        <translation>{duration},始于 {start}({cause})</translation>
    </message>
    <message>
        <source>… and {count} older</source>
        <translation>……以及更早的 {count} 次</translation>
    </message>
    <message>
        <source>ongoing</source>
        <translation>仍在持续</translation>
    </message>
    <message>
        <source>ongoing (down before the restart too)</source>
        <translation>持续中（重启前也已断开）</translation>
    </message>
    <message>
        <source>ongoing (down before the pause too)</source>
        <translation>持续中（暂停前也已断开）</translation>
    </message>
    <message>
        <source>{cause} (in a maintenance window)</source>
        <translation>{cause}（在维护时段内）</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>monitoring stopped</source>
        <translation>监控已停止</translation>
    </message>
    <message>
        <source>monitoring restarted</source>
        <translation>监控已重新启动</translation>
    </message>
    <message>
        <source>target changed</source>
        <translation>目标已更改</translation>
    </message>
    <message>
        <source>{state} (a state this version does not know)</source>
        <translation>{state}（此版本不认识的状态）</translation>
    </message>
</context>
<context>
    <name>Detector</name>
    <message>
        <source>probe</source>
        <extracomment>By detector kind (the profile format&apos;s words: ``probe``, ``heartbeat``, ``watch``).</extracomment>
        <translation>探测</translation>
    </message>
    <message>
        <source>heartbeat</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>watch</source>
        <translation>静默监视</translation>
    </message>
</context>
<context>
    <name>DnsNotices</name>
    <message numerus="yes">
        <source>{n} connections cannot resolve their names: {names}.</source>
        <extracomment>Fewer different names failing together is not evidence about the resolver. While the resolver is out: the named profiles it took down.</extracomment>
        <translation>
            <numerusform>{n} 个连接无法解析其名称：{names}。</numerusform>
        </translation>
    </message>
    <message>
        <source>Connections by address work.</source>
        <translation>按地址连接的正常。</translation>
    </message>
    <message>
        <source>DNS is not answering</source>
        <translation>DNS 没有响应</translation>
    </message>
    <message numerus="yes">
        <source>{n} connections by name are back up.</source>
        <translation>
            <numerusform>{n} 个按名称的连接已恢复。</numerusform>
        </translation>
    </message>
    <message>
        <source>Still down: {names}.</source>
        <translation>仍然断开：{names}。</translation>
    </message>
    <message>
        <source>DNS answers again</source>
        <translation>DNS 已恢复响应</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{n} ms</source>
        <translation>{n} 毫秒</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <source>{n} d</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
</context>
<context>
    <name>FailedActions</name>
    <message>
        <source>Action failed: {name}</source>
        <extracomment>After a notice of failed actions, the next comes this long after it at the soonest.</extracomment>
        <translation>操作失败：{name}</translation>
    </message>
    <message numerus="yes">
        <source>{n} actions failed: {names}</source>
        <translation>
            <numerusform>{n} 个操作失败：{names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FieldProblem</name>
    <message>
        <source>is empty (it is required)</source>
        <translation>为空（必填）</translation>
    </message>
    <message>
        <source>is missing (it is required)</source>
        <translation>缺失（必填）</translation>
    </message>
    <message>
        <source>is out of range (allowed {lo} to {hi})</source>
        <translation>超出范围（允许 {lo} 到 {hi}）</translation>
    </message>
    <message>
        <source>is not a number (allowed {lo} to {hi})</source>
        <translation>不是数字（允许 {lo} 到 {hi}）</translation>
    </message>
    <message>
        <source>is not a whole number (allowed {lo} to {hi})</source>
        <translation>不是整数（允许 {lo} 到 {hi}）</translation>
    </message>
    <message>
        <source>is not text</source>
        <translation>不是文本</translation>
    </message>
    <message>
        <source>is too long ({n} characters, allowed at most {most})</source>
        <translation>太长（{n} 个字符，最多允许 {most} 个）</translation>
    </message>
    <message>
        <source>contains a control character ({code})</source>
        <translation>含有控制字符（{code}）</translation>
    </message>
    <message>
        <source>contains a lone surrogate ({code}), which is not text</source>
        <translation>含有孤立的代理字符（{code}），不是文本</translation>
    </message>
    <message>
        <source>contains a bidirectional control character ({code}), which makes the text around it read in another order (in a notice, &quot;up&quot; could read as something else)</source>
        <translation>含有双向控制字符（{code}），会让周围的文字以另一种顺序显示（在通知中，“正常”可能读成别的意思）</translation>
    </message>
    <message>
        <source>is not a host name or IP address</source>
        <translation>不是主机名或 IP 地址</translation>
    </message>
    <message>
        <source>is not a valid host name or IP address</source>
        <translation>不是有效的主机名或 IP 地址</translation>
    </message>
    <message>
        <source>is not a valid IP address</source>
        <translation>不是有效的 IP 地址</translation>
    </message>
    <message>
        <source>has a scope that is not a network interface&apos;s name or number</source>
        <translation>带有的作用域不是网络接口的名称或编号</translation>
    </message>
    <message>
        <source>does not fit the IPv6 address {host}</source>
        <translation>与 IPv6 地址 {host} 不符</translation>
    </message>
    <message>
        <source>does not fit the IPv4 address {host}</source>
        <translation>与 IPv4 地址 {host} 不符</translation>
    </message>
    <message>
        <source>is not a valid regular expression ({why}; lookaround and backreferences are not supported)</source>
        <translation>不是有效的正则表达式（{why}；不支持环视和反向引用）</translation>
    </message>
    <message>
        <source>is not a valid regular expression ({why})</source>
        <translation>不是有效的正则表达式（{why}）</translation>
    </message>
    <message>
        <source>is not hex bytes (pairs of 0-9a-f, spaces allowed)</source>
        <translation>不是十六进制字节（成对的 0-9a-f，可含空格）</translation>
    </message>
    <message>
        <source>is empty: a heartbeat needs something to send</source>
        <translation>为空：心跳需要发送内容</translation>
    </message>
    <message>
        <source>sends nothing, so a heartbeat cannot use it; use probe or watch</source>
        <translation>不发送任何内容，心跳无法使用；请改用探测或监视</translation>
    </message>
    <message>
        <source>does not apply to watch (it sends nothing)</source>
        <translation>不适用于监视（监视不发送任何内容）</translation>
    </message>
    <message>
        <source>is not a file</source>
        <translation>不是文件</translation>
    </message>
    <message>
        <source>cannot be read ({why})</source>
        <translation>无法读取（{why}）</translation>
    </message>
    <message>
        <source>is too large to be certificates ({n} bytes)</source>
        <translation>太大，不可能是证书（{n} 字节）</translation>
    </message>
    <message>
        <source>holds no PEM certificate (-----BEGIN CERTIFICATE-----)</source>
        <translation>不含 PEM 证书（-----BEGIN CERTIFICATE-----）</translation>
    </message>
    <message>
        <source>is not a maintenance window ({examples})</source>
        <translation>不是维护时段（{examples}）</translation>
    </message>
    <message>
        <source>has a date that does not exist</source>
        <translation>含有不存在的日期</translation>
    </message>
    <message>
        <source>is no time at all (it begins when it ends)</source>
        <translation>时长为零（开始即结束）</translation>
    </message>
    <message>
        <source>ends before it begins</source>
        <translation>结束早于开始</translation>
    </message>
    <message>
        <source>is longer than {days} days</source>
        <translation>超过 {days} 天</translation>
    </message>
    <message>
        <source>is not a list of maintenance windows ({examples})</source>
        <translation>不是维护时段的列表（{examples}）</translation>
    </message>
    <message>
        <source>names {name}, which is not a time zone (e.g. Europe/Berlin, UTC)</source>
        <translation>写的 {name} 不是时区（例如 Europe/Berlin、UTC）</translation>
    </message>
    <message>
        <source>has {time}, which is not a time of day (00:00 to 23:59)</source>
        <translation>中的 {time} 不是一天中的时间（00:00 到 23:59）</translation>
    </message>
    <message>
        <source>has {part}, which is not a day (Mon..Sun, Mon-Fri, daily)</source>
        <translation>中的 {part} 不是星期几（Mon..Sun、Mon-Fri、daily）</translation>
    </message>
    <message>
        <source>are more than {most}</source>
        <translation>超过 {most} 个</translation>
    </message>
    <message>
        <source>is not one of {options}</source>
        <translation>不是以下之一：{options}</translation>
    </message>
    <message>
        <source>is not a list of actions ({&quot;on&quot;: &quot;down&quot;, &quot;run&quot;: [&quot;command&quot;]})</source>
        <translation>不是动作的列表（{&quot;on&quot;: &quot;down&quot;, &quot;run&quot;: [&quot;command&quot;]}）</translation>
    </message>
    <message>
        <source>needs &quot;run&quot; (a command) or &quot;notify&quot; (a notification URL)</source>
        <translation>需要 &quot;run&quot;（一个命令）或 &quot;notify&quot;（一个通知 URL）</translation>
    </message>
    <message>
        <source>is not a number (0.1 to 3600)</source>
        <translation>不是数字（0.1 到 3600）</translation>
    </message>
    <message>
        <source>is not a command: a list of 1 to {most} words</source>
        <translation>不是命令：应为 1 到 {most} 个词的列表</translation>
    </message>
    <message>
        <source>is not a word (text, up to {most})</source>
        <translation>不是一个词（文本，最多 {most} 个字符）</translation>
    </message>
    <message>
        <source>is not a program</source>
        <translation>不是程序</translation>
    </message>
    <message>
        <source>is not a notification URL (e.g. ntfy://ntfy.sh/topic)</source>
        <translation>不是通知 URL（例如 ntfy://ntfy.sh/topic）</translation>
    </message>
    <message>
        <source>is not a notification URL Apprise knows (see its wiki)</source>
        <translation>不是 Apprise 认识的通知 URL（见其 wiki）</translation>
    </message>
    <message>
        <source>is not true or false</source>
        <translation>不是 true 或 false</translation>
    </message>
    <message>
        <source>is not an object</source>
        <translation>不是对象</translation>
    </message>
    <message>
        <source>is not a list</source>
        <translation>不是列表</translation>
    </message>
    <message>
        <source>is not a known field (known: {known})</source>
        <translation>不是已知字段（已知：{known}）</translation>
    </message>
    <message>
        <source>is not a field this version knows; did you mean {close}?</source>
        <translation>不是此版本认识的字段；是否想写 {close}？</translation>
    </message>
    <message>
        <source>e.g. &apos;Sun 02:00-04:00 Europe/Berlin&apos; or &apos;2026-12-24 18:00 - 2026-12-27 08:00&apos;</source>
        <extracomment>What the core puts in a problem&apos;s ``{placeholder}`` in words: said in the user&apos;s language too (the other values are numbers, names and the user&apos;s own text).</extracomment>
        <translation>例如 &apos;Sun 02:00-04:00 Europe/Berlin&apos; 或 &apos;2026-12-24 18:00 - 2026-12-27 08:00&apos;</translation>
    </message>
    <message>
        <source>(not shown: it may hold a password)</source>
        <extracomment>A value a message does not show (``validate.HIDDEN``), in place of the value it names.</extracomment>
        <translation>（未显示：其中可能含有密码）</translation>
    </message>
</context>
<context>
    <name>FileProblem</name>
    <message>
        <source>{error}; events wait in memory</source>
        <translation>{error}；事件暂存在内存中</translation>
    </message>
    <message>
        <source>{what}: is {kind}, not a file; the event log was not opened</source>
        <translation>{what}：是{kind}，不是文件；未打开事件日志</translation>
    </message>
    <message>
        <source>{what}: is not a folder (a file is there); the event log was not opened</source>
        <translation>{what}：不是文件夹（该处是一个文件）；未打开事件日志</translation>
    </message>
    <message>
        <source>{what}: is a link into a folder that does not exist ({target}); the event log was not opened</source>
        <translation>{what}：是指向不存在的文件夹的链接（{target}）；未打开事件日志</translation>
    </message>
    <message>
        <source>{what}: cannot be opened ({why})</source>
        <translation>{what}：无法打开（{why}）</translation>
    </message>
    <message>
        <source>{what}: cannot be used as the event log ({why}); it was left as it is</source>
        <translation>{what}：无法用作事件日志（{why}）；已保持原样</translation>
    </message>
    <message>
        <source>{what}: schema version {version} is newer than this program understands (at most {current}); upgrade TCP Monitor (the log as it was before is kept as {copy})</source>
        <translation>{what}：结构版本 {version} 比本程序能理解的更新（最多 {current}）；请升级 TCP Monitor（日志之前的样子保存为 {copy}）</translation>
    </message>
    <message>
        <source>{what}: schema version {version} is newer than this program understands (at most {current}); upgrade TCP Monitor</source>
        <translation>{what}：结构版本 {version} 比本程序能理解的更新（最多 {current}）；请升级 TCP Monitor</translation>
    </message>
    <message>
        <source>{what}: holds another program&apos;s tables, not an event log; it was left as it is</source>
        <translation>{what}：存有其他程序的表，不是事件日志；已保持原样</translation>
    </message>
    <message>
        <source>{what}: events not written yet (another program holds the writers&apos; lock; they wait for it)</source>
        <translation>{what}：事件尚未写入（另一个程序持有写入锁；事件正在等待）</translation>
    </message>
    <message>
        <source>{what}: events not written ({why})</source>
        <translation>{what}：事件未写入（{why}）</translation>
    </message>
    <message>
        <source>{what}: {why}; a new event log is started there</source>
        <translation>{what}：{why}；已在原处新建事件日志</translation>
    </message>
    <message>
        <source>{why}; the disk is full</source>
        <translation>{why}；磁盘已满</translation>
    </message>
    <message>
        <source>{what}: is {kind}, not a file; not read</source>
        <translation>{what}：是{kind}，不是文件；未读取</translation>
    </message>
    <message>
        <source>{what}: does not exist</source>
        <translation>{what}：不存在</translation>
    </message>
    <message>
        <source>{what}: cannot be read ({why})</source>
        <translation>{what}：无法读取（{why}）</translation>
    </message>
    <message>
        <source>{what}: too large ({size} MiB, at most 16 MiB); not loaded</source>
        <translation>{what}：太大（{size} MiB，最多 16 MiB）；未载入</translation>
    </message>
    <message>
        <source>{what}: not UTF-8 text (byte {byte} at offset {offset})</source>
        <translation>{what}：不是 UTF-8 文本（偏移 {offset} 处的字节 {byte}）</translation>
    </message>
    <message>
        <source>{what}: holds a number of {digits} digits; not loaded</source>
        <translation>{what}：含有一个 {digits} 位的数字；未载入</translation>
    </message>
    <message>
        <source>{what}: not valid JSON (line {line}, column {column}: {why})</source>
        <translation>{what}：不是有效的 JSON（第 {line} 行，第 {column} 列：{why}）</translation>
    </message>
    <message>
        <source>{what}: not usable JSON (nested too deeply)</source>
        <translation>{what}：无法使用的 JSON（嵌套太深）</translation>
    </message>
    <message>
        <source>{what}: has no &quot;version&quot; field (this program writes {current})</source>
        <translation>{what}：没有 &quot;version&quot; 字段（本程序写入的是 {current}）</translation>
    </message>
    <message>
        <source>{what}: version {version} is not a whole number of at least 1</source>
        <translation>{what}：版本 {version} 不是不小于 1 的整数</translation>
    </message>
    <message>
        <source>{what}: version {version} is newer than this program understands (at most {current}); upgrade TCP Monitor</source>
        <translation>{what}：版本 {version} 比本程序能理解的更新（最多 {current}）；请升级 TCP Monitor</translation>
    </message>
    <message>
        <source>{what} (and {more} more this version cannot read)</source>
        <translation>{what}（另有 {more} 项此版本无法读取）</translation>
    </message>
    <message>
        <source>{what}: 1 connection is left out: this version cannot read it ({why})</source>
        <translation>{what}：有 1 个连接被略过：此版本无法读取它（{why}）</translation>
    </message>
    <message>
        <source>{what}: {count} connections are left out: this version cannot read them ({why}; and {more} more)</source>
        <translation>{what}：有 {count} 个连接被略过：此版本无法读取它们（{why}；另有 {more} 个）</translation>
    </message>
    <message>
        <source>{what}: is neither a profile document ({example}) nor a list of profiles (it is {value})</source>
        <translation>{what}：既不是配置文档（{example}），也不是配置列表（它是 {value}）</translation>
    </message>
    <message>
        <source>{what}: {field}: {value} is also the name of {other} ({first}; names must differ, ignoring case, how accents are typed and invisible characters)</source>
        <translation>{what}：{field}：{value} 也是 {other}（{first}）的名称；名称必须不同（不计大小写、重音的输入方式和不可见字符）</translation>
    </message>
    <message>
        <source>{what}: {field}: {value} is also the id of {other} (ids must be unique)</source>
        <translation>{what}：{field}：{value} 也是 {other} 的 id（id 必须唯一）</translation>
    </message>
    <message>
        <source>{field}: {value} is also the name of {other} ({first}; names must differ, ignoring case, how accents are typed and invisible characters)</source>
        <translation>{field}：{value} 也是 {other}（{first}）的名称；名称必须不同（不计大小写、重音的输入方式和不可见字符）</translation>
    </message>
    <message>
        <source>{field}: {value} is also the id of {other} (ids must be unique)</source>
        <translation>{field}：{value} 也是 {other} 的 id（id 必须唯一）</translation>
    </message>
    <message>
        <source>not saved: {name} could not be read and is left as it is ({why}); fix it or move it away</source>
        <translation>未保存：{name} 无法读取，保持原样（{why}）；请修正它或把它移到别处</translation>
    </message>
    <message>
        <source>not saved: {name} is left as it is ({why}); use the version that wrote it, correct the file, or move it away</source>
        <translation>未保存：{name} 保持原样（{why}）；请使用写入它的版本、修正该文件，或把它移到别处</translation>
    </message>
    <message>
        <source>not saved: {name} could not be written ({why})</source>
        <translation>未保存：{name} 无法写入（{why}）</translation>
    </message>
    <message>
        <source>{what}: no copy could be kept ({why}); left as it is</source>
        <translation>{what}：无法保留副本（{why}）；保持原样</translation>
    </message>
    <message>
        <source>{what} would be {size} MiB, more than the {most} MiB that can be read back</source>
        <translation>{what} 将有 {size} MiB，超过可读回的 {most} MiB</translation>
    </message>
    <message>
        <source>{folder} is not a folder (a file, or a broken link, is there)</source>
        <translation>{folder} 不是文件夹（那里是一个文件或失效的链接）</translation>
    </message>
    <message>
        <source>{what}: is not a JSON object ({value})</source>
        <translation>{what}：不是 JSON 对象（{value}）</translation>
    </message>
    <message>
        <source>id {id} is already the id of {name}</source>
        <translation>id {id} 已是 {name} 的 id</translation>
    </message>
    <message>
        <source>name {name} is already taken by another profile ({other})</source>
        <translation>名称 {name} 已被另一个配置（{other}）使用</translation>
    </message>
    <message>
        <source>not saved: {name}: {why}</source>
        <translation>未保存：{name}：{why}</translation>
    </message>
    <message>
        <source>the event log cannot be used: {why}</source>
        <translation>无法使用事件日志：{why}</translation>
    </message>
    <message>
        <source>is TCP Monitor&apos;s own {name} ({file}); nothing written, choose another file</source>
        <translation>是 TCP Monitor 自己的 {name}（{file}）；未写入任何内容，请另选一个文件</translation>
    </message>
    <message>
        <source>is TCP Monitor&apos;s own {name}; nothing written, choose another file</source>
        <translation>是 TCP Monitor 自己的 {name}；未写入任何内容，请另选一个文件</translation>
    </message>
    <message>
        <source>is {kind}, not a file; nothing written</source>
        <translation>是{kind}，不是文件；未写入任何内容</translation>
    </message>
    <message>
        <source>could not write {what}: {why}</source>
        <translation>无法写入 {what}：{why}</translation>
    </message>
    <message>
        <source>could not remove {what}: {why}</source>
        <translation>无法删除 {what}：{why}</translation>
    </message>
    <message>
        <source>a named pipe (FIFO)</source>
        <extracomment>The kinds of files that are not one (``core.atomicfile.KINDS``), said in a message.</extracomment>
        <translation>命名管道（FIFO）</translation>
    </message>
    <message>
        <source>a directory</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>a character device</source>
        <translation>字符设备</translation>
    </message>
    <message>
        <source>a block device</source>
        <translation>块设备</translation>
    </message>
    <message>
        <source>a socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>非普通文件</translation>
    </message>
    <message>
        <source>was deleted while in use</source>
        <translation>在使用中被删除</translation>
    </message>
    <message>
        <source>was replaced by another file while in use</source>
        <translation>在使用中被另一个文件替换</translation>
    </message>
    <message>
        <source>it is not open</source>
        <translation>它尚未打开</translation>
    </message>
</context>
<context>
    <name>HostEdit</name>
    <message>
        <source>Taken from {text}: the host {host}; it names no port</source>
        <translation>取自 {text}：主机 {host}；其中没有端口</translation>
    </message>
    <message>
        <source>Taken from {text}: the host {host} and the port {port}</source>
        <translation>取自 {text}：主机 {host}，端口 {port}</translation>
    </message>
</context>
<context>
    <name>LogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Detection (ms)</source>
        <translation>发现用时 (毫秒)</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>yesterday {time}</source>
        <extracomment>Column 0: the row&apos;s place in time order (live rows count up, history pages down).</extracomment>
        <translation>昨天 {time}</translation>
    </message>
    <message>
        <source>action on {state} failed</source>
        <translation>{state}时的操作失败</translation>
    </message>
    <message>
        <source>action on {state}</source>
        <translation>{state}时的操作</translation>
    </message>
    <message>
        <source>Time from the last good sign of the connection to the down event</source>
        <extracomment>``(before_id, limit) -&gt; future of a page`` (``EventPage``: its rows newest first). Live rows written per turn of the event loop, at most (a row is a few tenths of a ms). A history page failed; the message is for the user (the pane stops paging). How many stored rows paged in so far this version cannot read (left out); 0 also when paging starts again from the newest (a reload, a clear). Around each piece of live rows (``append``): a view keeps its place once a piece. Connections whose last live change was &quot;could not check&quot; (``noise``). Whether the view shows fewer rows than it has room for (the pane&apos;s): a page whose rows it all filters out gave it nothing to scroll by, so nothing asked for the next, and a pane showing one connection stayed empty over its older events. Live rows not shown yet, oldest first (already in ``_keys``).</extracomment>
        <translation>从连接最后一次正常迹象到判定断开所用的时间</translation>
    </message>
</context>
<context>
    <name>LogOpening</name>
    <message>
        <source>Waiting for the event log to open (another program may be writing to it). Monitoring starts once it is open.</source>
        <extracomment>How long the opening may take before the status bar says what the window waits for.</extracomment>
        <translation>正在等待事件日志打开（可能有另一个程序正在写入）。日志打开后即开始监控。</translation>
    </message>
</context>
<context>
    <name>LogPane</name>
    <message>
        <source>All states</source>
        <extracomment>The pane&apos;s filter choices: (words, what they accept; None: anything).</extracomment>
        <translation>所有状态</translation>
    </message>
    <message>
        <source>Down or degraded</source>
        <translation>断开或降级</translation>
    </message>
    <message>
        <source>Any cause</source>
        <translation>任意原因</translation>
    </message>
    <message>
        <source>Connections shown</source>
        <extracomment>While a burst is shown a piece per turn of the event loop (``LogModel``), the view is painted at most this often: each piece would repaint it, fifty times for a thousand lines. A one-line message for the status bar (an export done, history that cannot be read). ``(title, text)``: something went wrong that the user must see (an export failed). A profile id: the user asked for that connection&apos;s details (the log&apos;s context menu). The row at the top of the view before a layout change (kept there after it).</extracomment>
        <translation>显示的连接</translation>
    </message>
    <message>
        <source>All connections</source>
        <extracomment>Keeps the reading position row by row; a piece of live rows is handled whole (``_piece_begins``): two calls into Python per row were some 7 % of the GUI thread in a burst (py-spy --native).</extracomment>
        <translation>所有连接</translation>
    </message>
    <message>
        <source>States shown</source>
        <translation>显示的状态</translation>
    </message>
    <message>
        <source>Causes shown</source>
        <translation>显示的原因</translation>
    </message>
    <message>
        <source>Filter by connection, detail, address, cause</source>
        <translation>按连接、详情、地址、原因筛选</translation>
    </message>
    <message>
        <source>Filter the event log</source>
        <translation>筛选事件日志</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新的在前</translation>
    </message>
    <message>
        <source>Clear view</source>
        <translation>清空视图</translation>
    </message>
    <message>
        <source>Hides these lines; the stored history is kept</source>
        <translation>隐藏这些行；已保存的历史不会删除</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Shows the stored history again</source>
        <translation>重新显示已保存的历史</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Saves the lines shown, as filtered, to a CSV file</source>
        <translation>将筛选后显示的行保存为 CSV 文件</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy &amp;address</source>
        <translation>复制地址(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Only this connection</source>
        <translation>仅此连接(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Details</source>
        <translation>详情(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Every connection</source>
        <translation>所有连接(&amp;E)</translation>
    </message>
    <message>
        <source>Show &amp;starts and stops</source>
        <translation>显示启动与停止(&amp;S)</translation>
    </message>
    <message>
        <source>Export events</source>
        <translation>导出事件</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message numerus="yes">
        <source>Exported {count} events to {name}</source>
        <translation>
            <numerusform>已将 {count} 个事件导出到 {name}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Add connection…</source>
        <extracomment>Enabled only while a row is selected.</extracomment>
        <translation>添加连接(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <source>Start/&amp;Pause selected</source>
        <translation>启动/暂停所选(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Test now</source>
        <translation>立即测试(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Import connections…</source>
        <translation>导入连接配置(&amp;I)…</translation>
    </message>
    <message>
        <source>E&amp;xport connections…</source>
        <translation>导出连接配置(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Try the &amp;demo</source>
        <translation>试用演示(&amp;D)</translation>
    </message>
    <message>
        <source>D&amp;uplicate…</source>
        <translation>复制(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Event &amp;log</source>
        <translation>事件日志(&amp;L)</translation>
    </message>
    <message>
        <source>Log shows the &amp;selected connection</source>
        <translation>日志只显示所选连接(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Details and history</source>
        <translation>详情与历史(&amp;D)</translation>
    </message>
    <message>
        <source>Last &amp;24 hours…</source>
        <translation>最近 24 小时(&amp;2)…</translation>
    </message>
    <message>
        <source>Last &amp;7 days…</source>
        <translation>最近 7 天(&amp;7)…</translation>
    </message>
    <message>
        <source>Last &amp;30 days…</source>
        <translation>最近 30 天(&amp;3)…</translation>
    </message>
    <message>
        <source>For &amp;15 minutes</source>
        <translation>15 分钟(&amp;1)</translation>
    </message>
    <message>
        <source>For 1 &amp;hour</source>
        <translation>1 小时(&amp;H)</translation>
    </message>
    <message>
        <source>Until &amp;tomorrow (08:00)</source>
        <translation>直到明天 08:00(&amp;T)</translation>
    </message>
    <message>
        <source>Until &amp;unmuted</source>
        <translation>直到取消静音(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Notify again</source>
        <translation>恢复通知(&amp;N)</translation>
    </message>
    <message>
        <source>Ac&amp;knowledge</source>
        <translation>确认(&amp;K)</translation>
    </message>
    <message>
        <source>Acknowledge a&amp;ll</source>
        <translation>全部确认(&amp;L)</translation>
    </message>
    <message>
        <source>S&amp;nooze notices</source>
        <extracomment>Snoozing the selected connections&apos; notices, as a submenu.</extracomment>
        <translation>暂停通知(&amp;N)</translation>
    </message>
    <message>
        <source>Export &amp;report</source>
        <extracomment>Reports of the selected connections (or all), as a submenu.</extracomment>
        <translation>导出报告(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <extracomment>``None`` is a separator; ``(title, layout)`` a submenu (in menus; a toolbar skips it).</extracomment>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Connections</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About TCP Monitor</source>
        <translation>关于 TCP Monitor(&amp;A)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Loading…</source>
        <extracomment>The log, the tray and the counts take the engine&apos;s batches at most this often. Events taken from the engine per turn of the event loop, at most (a few tenths of a ms each, more when a worker holds the GIL: a burst was still 30-60 ms a turn at 100). Notices the window keeps (``notices``), the newest: each one told was kept for weeks. &quot;Try the demo&quot;: the composition root starts it (the demo is not the window&apos;s). The engine runs (its workers are up, the registry&apos;s profiles are being watched).</extracomment>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No connections</source>
        <translation>没有连接</translation>
    </message>
    <message>
        <source>Profiles were not saved</source>
        <translation>连接配置未能保存</translation>
    </message>
    <message>
        <source>Profiles are saved again</source>
        <translation>连接配置已重新保存</translation>
    </message>
    <message>
        <source>Re&amp;sume all</source>
        <translation>全部恢复(&amp;S)</translation>
    </message>
    <message>
        <source>Pau&amp;se all</source>
        <translation>全部暂停(&amp;S)</translation>
    </message>
    <message>
        <source>Stop the &amp;demo</source>
        <translation>停止演示(&amp;D)</translation>
    </message>
    <message>
        <source>TCP Monitor is still running</source>
        <translation>TCP Monitor 仍在运行</translation>
    </message>
    <message>
        <source>It keeps watching from the tray. Quit from the tray menu.</source>
        <translation>它会在系统托盘中继续监视。请从托盘菜单退出。</translation>
    </message>
</context>
<context>
    <name>Metrics</name>
    <message>
        <source>Metrics are not served</source>
        <translation>未能提供指标</translation>
    </message>
    <message>
        <source>{address} cannot be used ({why})</source>
        <translation>无法使用 {address}（{why}）</translation>
    </message>
    <message>
        <source>Metrics are served at {address}</source>
        <translation>已在 {address} 提供指标</translation>
    </message>
</context>
<context>
    <name>NotificationPolicy</name>
    <message numerus="yes">
        <source>{down} of {total} connections went down at once ({causes}): {names}.</source>
        <extracomment>Causes that prove the network works (a peer answered, if only to refuse): drops with these are never taken for this computer being offline. The notice told at once for the window being gathered. Profiles in an outage, with the event that began it. Down since a drop inside a maintenance window: told to nobody, counted nowhere. Set while most profiles are down: the profiles the outage has taken.</extracomment>
        <translation>
            <numerusform>{total} 个连接中有 {down} 个同时断开（{causes}）：{names}。</numerusform>
        </translation>
    </message>
    <message>
        <source>Is this computer&apos;s network down?</source>
        <translation>是本机网络断开了吗？</translation>
    </message>
    <message>
        <source>Most servers are not answering</source>
        <translation>多数服务器没有响应</translation>
    </message>
    <message>
        <source>This computer&apos;s network is up: a router or link beyond it may be down.</source>
        <translation>本机网络正常：可能是其外的路由器或线路断开了。</translation>
    </message>
    <message>
        <source>1 connection is back up.</source>
        <translation>1 个连接已恢复。</translation>
    </message>
    <message numerus="yes">
        <source>{n} connections are back up.</source>
        <translation>
            <numerusform>{n} 个连接已恢复。</numerusform>
        </translation>
    </message>
    <message>
        <source> Still down: {names}.</source>
        <translation>仍断开：{names}。</translation>
    </message>
    <message>
        <source>Servers answer again</source>
        <translation>服务器已恢复响应</translation>
    </message>
    <message>
        <source>Back online</source>
        <translation>已恢复在线</translation>
    </message>
    <message>
        <source>; back up {duration} later</source>
        <translation>；{duration} 后恢复</translation>
    </message>
    <message>
        <source>Connection down: {name}</source>
        <translation>连接断开：{name}</translation>
    </message>
    <message numerus="yes">
        <source>{n} connections down: {names}</source>
        <translation>
            <numerusform>{n} 个连接断开：{names}</numerusform>
        </translation>
    </message>
    <message>
        <source>Connection back up: {name}</source>
        <translation>连接已恢复：{name}</translation>
    </message>
    <message numerus="yes">
        <source>{n} connections back up: {names}</source>
        <translation>
            <numerusform>{n} 个连接已恢复：{names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notify</name>
    <message numerus="yes">
        <source>{names} and {n} more</source>
        <extracomment>Lines of detail in one notice; daemons cut long bodies anyway. Characters of a name a notice shows: a tray balloon is as wide as its longest line, and one that named a profile of 100 characters ran off the screen, unreadable.</extracomment>
        <translation>
            <numerusform>{names} 等另外 {n} 个</numerusform>
        </translation>
    </message>
    <message>
        <source>{name} is down: {reason}</source>
        <translation>{name} 已断开：{reason}</translation>
    </message>
    <message>
        <source>{name} is down</source>
        <translation>{name} 已断开</translation>
    </message>
    <message>
        <source>{name} is down: {reason} (noticed {delay} after the last good sign)</source>
        <translation>{name} 已断开：{reason}（在最后一次正常迹象后 {delay} 发现）</translation>
    </message>
    <message>
        <source>{name} is down (noticed {delay} after the last good sign)</source>
        <translation>{name} 已断开（在最后一次正常迹象后 {delay} 发现）</translation>
    </message>
    <message>
        <source>{name} is back up after {duration}</source>
        <translation>{name} 在中断 {duration} 后已恢复</translation>
    </message>
    <message>
        <source>{name} is back up after {duration} ({cause})</source>
        <translation>{name} 在中断 {duration} 后已恢复（{cause}）</translation>
    </message>
    <message>
        <source>{name} is back up</source>
        <translation>{name} 已恢复</translation>
    </message>
    <message>
        <source>, but slow: {detail}</source>
        <translation>，但速度较慢：{detail}</translation>
    </message>
    <message>
        <source>Could not check {name}</source>
        <translation>无法检查 {name}</translation>
    </message>
    <message numerus="yes">
        <source>Could not check {n} connections: {names}</source>
        <translation>
            <numerusform>无法检查 {n} 个连接：{names}</numerusform>
        </translation>
    </message>
    <message>
        <source>{name}: {reason}</source>
        <translation>{name}：{reason}</translation>
    </message>
    <message>
        <source>The trouble is on this computer, not the server: its state is unknown until a check can be made.</source>
        <translation>问题出在本机，而不是服务器：在能够检查之前，其状态未知。</translation>
    </message>
    <message>
        <source>The trouble is on this computer, not the servers: their state is unknown until a check can be made.</source>
        <translation>问题出在本机，而不是服务器：在能够检查之前，它们的状态未知。</translation>
    </message>
    <message numerus="yes">
        <source>…and {n} more</source>
        <translation>
            <numerusform>…另有 {n} 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Preset</name>
    <message>
        <source>Line echo</source>
        <extracomment>By preset name; protocol names and commands stay as they are in every language.</extracomment>
        <translation>行回显</translation>
    </message>
    <message>
        <source>Redis PING</source>
        <translation>Redis PING</translation>
    </message>
    <message>
        <source>HTTP HEAD (kept alive)</source>
        <translation>HTTP HEAD（保持连接）</translation>
    </message>
    <message>
        <source>memcached version</source>
        <translation>memcached version</translation>
    </message>
    <message>
        <source>SMTP NOOP</source>
        <translation>SMTP NOOP</translation>
    </message>
    <message>
        <source>FTP NOOP</source>
        <translation>FTP NOOP</translation>
    </message>
    <message>
        <source>SSH banner (sends nothing)</source>
        <translation>SSH 横幅（不发送数据）</translation>
    </message>
    <message>
        <source>Raw bytes (hex)</source>
        <translation>原始字节（十六进制）</translation>
    </message>
    <message>
        <source>Custom text</source>
        <translation>自定义文本</translation>
    </message>
</context>
<context>
    <name>Problems</name>
    <message>
        <source>Settings could not be read</source>
        <translation>无法读取设置</translation>
    </message>
    <message>
        <source>Profiles could not be read</source>
        <translation>无法读取连接配置</translation>
    </message>
    <message>
        <source>Profiles were not read in full</source>
        <translation>连接配置未能完整读取</translation>
    </message>
    <message>
        <source>Settings were not read in full</source>
        <translation>设置未能完整读取</translation>
    </message>
    <message>
        <source>The event log cannot be used</source>
        <translation>无法使用事件日志</translation>
    </message>
    <message>
        <source>The window&apos;s layout could not be read</source>
        <translation>无法读取窗口布局</translation>
    </message>
    <message>
        <source>Times are shown in UTC</source>
        <translation>时间以 UTC 显示</translation>
    </message>
    <message>
        <source>A copy was kept as {kept}; the defaults are used.</source>
        <translation>已保留副本 {kept}；现使用默认设置。</translation>
    </message>
    <message>
        <source>The file was kept as {kept}; TCP Monitor starts with no connections and will not write over your copy.</source>
        <translation>原文件已保留为 {kept}；TCP Monitor 将以空的连接列表启动，不会覆盖你的副本。</translation>
    </message>
    <message>
        <source>What this version cannot read may come from a newer version of TCP Monitor, so the file is left as it is: the settings read are used (the defaults for the rest), and changes to the settings are not saved over it. Use the newer version, correct the file, or move it away to start afresh here.</source>
        <translation>此版本无法读取的内容可能来自较新版本的 TCP Monitor，因此该文件保持原样：已读取的设置照常使用（其余使用默认值），对设置的更改不会保存到该文件上。请使用较新的版本、修正该文件，或将其移走以在此重新开始。</translation>
    </message>
    <message>
        <source>What this version cannot read may come from a newer version of TCP Monitor, so the file is left as it is: the connections read are monitored, and changes to the connections are not saved over it. Use the newer version, correct the file, or move it away to start afresh here.</source>
        <translation>此版本无法读取的内容可能来自较新版本的 TCP Monitor，因此该文件保持原样：已读取的连接照常监控，对连接的更改不会保存到该文件上。请使用较新的版本、修正该文件，或将其移走以在此重新开始。</translation>
    </message>
    <message>
        <source>No copy could be made, so the file is left as it is and nothing is saved over it until TCP Monitor starts again.</source>
        <translation>无法创建副本，因此文件保持原样；在 TCP Monitor 重新启动之前不会覆盖它。</translation>
    </message>
    <message>
        <source>It is left as it is; the window&apos;s size and columns are saved there once it is a file again (or nothing is there).</source>
        <translation>它保持原样；待它重新成为普通文件（或那里已没有文件）后，窗口的大小和列宽才会保存到那里。</translation>
    </message>
    <message>
        <source>Monitoring works; events are kept in memory and stored once the event log can be opened (it is tried again every 5 s).</source>
        <translation>监视照常进行；事件保留在内存中，待事件日志可以打开后再保存（每 5 秒重试一次）。</translation>
    </message>
    <message>
        <source>This computer&apos;s time zone puts the clock 24 hours or more from UTC, which no time zone does, so every time in this window is in UTC. Set TZ to a zone such as Europe/Berlin and start TCP Monitor again.</source>
        <extracomment>The banner&apos;s key of the settings that could not be read: said until settings are saved (the defaults were said to be used on, the user&apos;s own settings saved since). The banner&apos;s key of the profiles a read left out: said again, or withdrawn, as the file is read again (``notify.left_out``).</extracomment>
        <translation>本机时区与 UTC 相差 24 小时或更多，没有哪个时区如此，因此本窗口中的所有时间均为 UTC。请将 TZ 设为 Europe/Berlin 这样的时区，然后重新启动 TCP Monitor。</translation>
    </message>
    <message>
        <source>{setting} puts the clock 24 hours or more from UTC, which no time zone does, so every time in this window is in UTC. Set TZ to a zone such as Europe/Berlin, or unset it, and start TCP Monitor again.</source>
        <translation>{setting} 使时钟与 UTC 相差 24 小时或更多，没有哪个时区如此，因此本窗口中的所有时间均为 UTC。请将 TZ 设为 Europe/Berlin 这样的时区，或取消设置，然后重新启动 TCP Monitor。</translation>
    </message>
    <message>
        <source>{error}. Monitoring goes on; events are kept in memory and written when the disk takes them again.</source>
        <translation>{error}。监控照常进行；事件暂存在内存中，待磁盘恢复后写入。</translation>
    </message>
    <message>
        <source>Events are not being stored</source>
        <translation>事件未能保存</translation>
    </message>
    <message>
        <source>{renewed}. The history it held is gone; events are stored in the new log.</source>
        <translation>{renewed}。其中的历史记录已不在；事件保存在新的日志中。</translation>
    </message>
    <message>
        <source>It may come from a newer version of TCP Monitor, so it is left as it is: the defaults are used, and changes to the settings are not saved over it. Use the newer version, correct the file, or move it away to start afresh here.</source>
        <extracomment>A file a newer version may have written: left as it is, never set aside and replaced.</extracomment>
        <translation>该文件可能来自较新版本的 TCP Monitor，因此保持原样：现在使用默认设置，对设置的更改不会保存到该文件上。请使用较新的版本、修正该文件，或将其移走以在此重新开始。</translation>
    </message>
    <message>
        <source>It may come from a newer version of TCP Monitor, so it is left as it is: TCP Monitor starts with no connections, and none is saved over your file. Use the newer version, correct the file, or move it away to start afresh here.</source>
        <translation>该文件可能来自较新版本的 TCP Monitor，因此保持原样：TCP Monitor 启动时没有任何连接，也不会有连接保存到您的文件上。请使用较新的版本、修正该文件，或将其移走以在此重新开始。</translation>
    </message>
    <message>
        <source>A new event log was started</source>
        <translation>已新建事件日志</translation>
    </message>
    <message numerus="yes">
        <source>The event log fell behind: {n} latency samples were dropped (state changes are all kept).</source>
        <translation>
            <numerusform>事件日志写入跟不上：丢弃了 {n} 个延迟样本（状态变化全部保留）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Samples were dropped</source>
        <translation>已丢弃样本</translation>
    </message>
    <message>
        <source>Events are stored again.</source>
        <translation>事件已恢复保存。</translation>
    </message>
</context>
<context>
    <name>ProfileActions</name>
    <message>
        <source>Connection removed meanwhile</source>
        <extracomment>How many profiles an import adds per turn of the event loop (about 0.1 s of work). An imported file&apos;s actions listed when the user is asked whether to take them. A line for the status bar. ``(title, text)``: something went wrong that the user must see (the window&apos;s banner).</extracomment>
        <translation>连接已在编辑期间被删除</translation>
    </message>
    <message>
        <source>{name} was removed by another program while you edited it. Add it again, with your changes?</source>
        <translation>在你编辑 {name} 时，另一个程序删除了它。要连同你的修改重新添加吗？</translation>
    </message>
    <message>
        <source>The connection was not saved</source>
        <translation>连接未保存</translation>
    </message>
    <message>
        <source>Remove connections</source>
        <translation>删除连接</translation>
    </message>
    <message numerus="yes">
        <source>Remove {count} connection(s): {names}?
Their stored history is kept.</source>
        <translation>
            <numerusform>删除 {count} 个连接：{names}？
它们已保存的历史会保留。</numerusform>
        </translation>
    </message>
    <message>
        <source>Snooze for 1 hour</source>
        <translation>暂停通知 1 小时</translation>
    </message>
    <message>
        <source>Snooze until tomorrow</source>
        <translation>暂停通知到明天</translation>
    </message>
    <message>
        <source>Testing {names}…</source>
        <translation>正在测试 {names}…</translation>
    </message>
    <message>
        <source>{name}: test failed to run: {error}</source>
        <translation>{name}：测试无法运行：{error}</translation>
    </message>
    <message>
        <source>{name}: connected to {address} in {latency}</source>
        <translation>{name}：已连接到 {address}，用时 {latency}</translation>
    </message>
    <message>
        <source>Import connections</source>
        <translation>导入连接配置</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <source>The profiles of {file} have actions, commands run or notices sent from this computer when their connections change:

{actions}

Take them too?</source>
        <translation>{file} 中的连接配置带有动作，即连接状态变化时在本计算机上运行的命令或发出的通知：

{actions}

也一并导入这些动作吗？</translation>
    </message>
    <message>
        <source>Import actions?</source>
        <translation>导入动作？</translation>
    </message>
    <message>
        <source>Import with actions</source>
        <translation>连同动作导入</translation>
    </message>
    <message>
        <source>Import without actions</source>
        <translation>不带动作导入</translation>
    </message>
    <message numerus="yes">
        <source>Imported {count} connections from {file}</source>
        <translation>
            <numerusform>已从 {file} 导入 {count} 个连接配置</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; {count} skipped (already present)</source>
        <translation>
            <numerusform>；跳过 {count} 个（已存在）</numerusform>
        </translation>
    </message>
    <message>
        <source>Export connections</source>
        <translation>导出连接配置</translation>
    </message>
    <message>
        <source>{why}. An export would lack it: export with the newer version, or copy {file} itself.</source>
        <translation>{why}。导出的文件会缺少它：请用较新的版本导出，或直接复制 {file} 文件本身。</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message numerus="yes">
        <source>Exported {count} connections to {path}</source>
        <translation>
            <numerusform>已将 {count} 个连接配置导出到 {path}</numerusform>
        </translation>
    </message>
    <message>
        <source>Connections (*.json);;All files (*)</source>
        <translation>连接配置 (*.json);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <source>Watch never notices a hung peer process (stopped, deadlocked): its kernel still acknowledges keepalive probes. Only a heartbeat sees it.</source>
        <translation>“静默监视”无法发现对端进程挂起（已停止或死锁）：对端内核仍会应答保活探测。只有心跳能发现这种情况。</translation>
    </message>
    <message>
        <source>Failed: the test was cancelled</source>
        <translation>失败：测试已取消</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
    <message>
        <source>Connected to {address} in {latency}</source>
        <translation>已连接到 {address}，用时 {latency}</translation>
    </message>
    <message>
        <source>Connected to {address}</source>
        <translation>已连接到 {address}</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Failed: {cause} — {detail} ({place})</source>
        <translation>失败：{cause} — {detail}（{place}）</translation>
    </message>
    <message>
        <source>{name} (copy)</source>
        <translation>{name}（副本）</translation>
    </message>
    <message>
        <source>{name} (copy {n})</source>
        <translation>{name}（副本 {n}）</translation>
    </message>
    <message>
        <source>Add connection</source>
        <extracomment>What the form does not show and an edit keeps: the snooze and the acknowledgement (a duplicate is a new connection, with neither). The settings the shown result (or the test under way) belongs to.</extracomment>
        <translation>添加连接</translation>
    </message>
    <message>
        <source>Duplicate {name}</source>
        <translation>复制 {name}</translation>
    </message>
    <message>
        <source>Edit {name}</source>
        <translation>编辑 {name}</translation>
    </message>
    <message>
        <source>&amp;Test now</source>
        <translation>立即测试(&amp;T)</translation>
    </message>
    <message>
        <source>is already the name of another connection</source>
        <translation>已被另一个连接使用</translation>
    </message>
    <message>
        <source>is being checked (no answer from it yet)</source>
        <translation>正在检查（文件尚无回应）</translation>
    </message>
    <message>
        <source>Fix the settings to see when a silent drop is noticed.</source>
        <translation>请先修正设置，才能显示静默断开会在多久内被发现。</translation>
    </message>
    <message>
        <source>A silent drop is noticed within {time}.</source>
        <translation>静默断开会在 {time} 内被发现。</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>Testing {target}…</source>
        <translation>正在测试 {target}…</translation>
    </message>
    <message>
        <source>The settings changed during the test: test again.</source>
        <translation>测试期间设置已更改：请重新测试。</translation>
    </message>
</context>
<context>
    <name>ProfileForm</name>
    <message>
        <source>Probe: connect every interval</source>
        <translation>探测：每个间隔连接一次</translation>
    </message>
    <message>
        <source>Heartbeat: hold a connection and ask</source>
        <translation>心跳：保持连接并定时询问</translation>
    </message>
    <message>
        <source>Watch: hold a connection silently</source>
        <translation>静默监视：保持连接但不发送数据</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>IPv4 only</source>
        <translation>仅 IPv4</translation>
    </message>
    <message>
        <source>IPv6 only</source>
        <translation>仅 IPv6</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>指定秒数</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <extracomment>TLS stays offered for watch although the brief says otherwise: ``core.connect`` does the handshake for every kind, so hiding it would leave a setting in force that nobody can see.</extracomment>
        <translation>常规(&amp;G)</translation>
    </message>
    <message>
        <source>How this connection is listed</source>
        <translation>此连接在列表中显示的名称</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>db.example.com, 192.0.2.10 or 2001:db8::1</source>
        <translation>db.example.com、192.0.2.10 或 2001:db8::1</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <source>A host name or an IP address</source>
        <translation>主机名或 IP 地址</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>The TCP port, 1 to 65535</source>
        <translation>TCP 端口，1 到 65535</translation>
    </message>
    <message>
        <source>Pick a group or type a new one</source>
        <translation>选择一个分组或输入新分组</translation>
    </message>
    <message>
        <source>G&amp;roup:</source>
        <translation>分组(&amp;R)：</translation>
    </message>
    <message>
        <source>Address &amp;family:</source>
        <translation>地址族(&amp;F)：</translation>
    </message>
    <message>
        <source>Monitor this connection</source>
        <translation>监视此连接</translation>
    </message>
    <message>
        <source>&amp;Enabled:</source>
        <translation>启用(&amp;E)：</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>Dete&amp;ctor</source>
        <translation>检测方式(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Detector:</source>
        <translation>检测方式(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Interval:</source>
        <translation>间隔(&amp;I)：</translation>
    </message>
    <message>
        <source>Ti&amp;meout:</source>
        <translation>超时(&amp;M)：</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>&amp;Preset:</source>
        <translation>预设(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Send:</source>
        <translation>发送(&amp;S)：</translation>
    </message>
    <message>
        <source>E&amp;xpect:</source>
        <translation>期望应答(&amp;X)：</translation>
    </message>
    <message>
        <source>Retries after an internal error (a bug) double up to this</source>
        <translation>内部错误（程序缺陷）后的重试间隔逐次加倍，直至此值</translation>
    </message>
    <message>
        <source>Max &amp;backoff:</source>
        <translation>最长退避(&amp;B)：</translation>
    </message>
    <message>
        <source>T&amp;LS</source>
        <translation>TLS(&amp;L)</translation>
    </message>
    <message>
        <source>Handshake TLS after connecting</source>
        <translation>连接后进行 TLS 握手</translation>
    </message>
    <message>
        <source>&amp;Use TLS:</source>
        <translation>使用 TLS(&amp;U)：</translation>
    </message>
    <message>
        <source>the host</source>
        <translation>即主机名</translation>
    </message>
    <message>
        <source>Server &amp;name:</source>
        <translation>服务器名称(&amp;N)：</translation>
    </message>
    <message>
        <source>Refuse an untrusted certificate</source>
        <translation>拒绝不受信任的证书</translation>
    </message>
    <message>
        <source>&amp;Verify:</source>
        <translation>验证(&amp;V)：</translation>
    </message>
    <message>
        <source>the system&apos;s trusted certificates</source>
        <translation>系统信任的证书</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>CA &amp;file:</source>
        <translation>CA 文件(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Keepalive</source>
        <translation>保活(&amp;K)</translation>
    </message>
    <message>
        <source>Silence before the kernel&apos;s first keepalive probe</source>
        <translation>内核发送第一个保活探测前的静默时间</translation>
    </message>
    <message>
        <source>&amp;Idle:</source>
        <translation>空闲(&amp;I)：</translation>
    </message>
    <message>
        <source>Probe i&amp;nterval:</source>
        <translation>探测间隔(&amp;N)：</translation>
    </message>
    <message>
        <source>Unanswered probes before the connection counts as dropped</source>
        <translation>连接被判定为断开前允许的未应答探测次数</translation>
    </message>
    <message>
        <source>Probe c&amp;ount:</source>
        <translation>探测次数(&amp;O)：</translation>
    </message>
    <message>
        <source>TCP_USER_TIMEOUT: how long sent data may stay unacknowledged</source>
        <translation>TCP_USER_TIMEOUT：已发送数据可保持未确认状态的最长时间</translation>
    </message>
    <message>
        <source>&amp;User timeout:</source>
        <translation>用户超时(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Alerting</source>
        <translation>告警(&amp;A)</translation>
    </message>
    <message>
        <source> failed check</source>
        <translation> 次失败检查</translation>
    </message>
    <message numerus="yes">
        <source> failed checks</source>
        <translation>
            <numerusform> 次失败检查</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Down after:</source>
        <translation>判定断开(&amp;D)：</translation>
    </message>
    <message>
        <source> good check</source>
        <translation> 次成功检查</translation>
    </message>
    <message numerus="yes">
        <source> good checks</source>
        <translation>
            <numerusform> 次成功检查</numerusform>
        </translation>
    </message>
    <message>
        <source>U&amp;p after:</source>
        <translation>判定恢复(&amp;P)：</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Latency above this shows the connection as degraded, until a check is under {percent} % of it; 0 turns it off</source>
        <translation>延迟超过此值时连接显示为降级，直到某次检查的延迟低于此值的 {percent} %；0 表示关闭</translation>
    </message>
    <message>
        <source>&amp;Warn latency:</source>
        <translation>延迟告警(&amp;W)：</translation>
    </message>
    <message>
        <source>When it goes down</source>
        <translation>断开时</translation>
    </message>
    <message>
        <source>&amp;Notify:</source>
        <translation>通知(&amp;N)：</translation>
    </message>
    <message>
        <source>When it comes &amp;back</source>
        <translation>恢复时(&amp;B)</translation>
    </message>
    <message>
        <source>One window per line: weekly (Sun 02:00-04:00, Mon-Fri 12:00-12:30, daily 03:00-03:15) or once (2026-12-24 18:00 - 2026-12-27 08:00), then a time zone if not local (Europe/Berlin, UTC). Changes inside are recorded, not told.</source>
        <translation>每行一个时段：每周（Sun 02:00-04:00、Mon-Fri 12:00-12:30、daily 03:00-03:15）或一次性（2026-12-24 18:00 - 2026-12-27 08:00），如不是本地时间，再写时区（Europe/Berlin、UTC）。时段内的变化会记录，但不通知。</translation>
    </message>
    <message>
        <source>&amp;Maintenance:</source>
        <translation>维护时段(&amp;M)：</translation>
    </message>
    <message>
        <source>One per line: down, up or change, then a command (run without a shell) or notify and an Apprise URL; a timeout may follow the word (down 10s: ...).</source>
        <translation>每行一个：down、up 或 change，然后是命令（不经 shell 运行），或 notify 加一个 Apprise URL；词后可写超时（down 10s: ...）。</translation>
    </message>
    <message>
        <source>A&amp;ctions:</source>
        <translation>操作(&amp;C)：</translation>
    </message>
    <message>
        <source>CA certificates</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Auto ({seconds} s)</source>
        <translation>自动（{seconds} 秒）</translation>
    </message>
    <message>
        <source>with nothing to send: what the server sends first</source>
        <translation>不发送任何内容时：服务器首先发来的内容</translation>
    </message>
    <message>
        <source>hex bytes to send, pairs of 0-9a-f (spaces allowed)</source>
        <translation>要发送的十六进制字节，两位一组 0-9a-f（可含空格）</translation>
    </message>
    <message>
        <source>hex bytes the reply must start with ({first})</source>
        <translation>应答必须以这些十六进制字节开头（{first}）</translation>
    </message>
    <message>
        <source>A regular expression the reply must match ({first})</source>
        <translation>应答必须匹配的正则表达式（{first}）</translation>
    </message>
    <message>
        <source>Empty: the preset&apos;s. Escapes: \r \n \t \\ \0 \xNN</source>
        <translation>留空则使用预设值。转义：\r \n \t \\ \0 \xNN</translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Folder</source>
        <comment>All other platforms</comment>
        <translation>文件夹</translation>
    </message>
</context>
<context>
    <name>ReportExport</name>
    <message>
        <source>Export report</source>
        <extracomment>The periods offered, by action name: days. A line for the status bar: the report was written. ``(title, text)``: it could not be.</extracomment>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>HTML report (*.html);;CSV table (*.csv)</source>
        <translation>HTML 报告 (*.html);;CSV 表格 (*.csv)</translation>
    </message>
    <message>
        <source>The report was not written</source>
        <translation>报告未写入</translation>
    </message>
    <message numerus="yes">
        <source>Report of %n connections written to {path}</source>
        <translation>
            <numerusform>已将 %n 个连接的报告写入 {path}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsActions</name>
    <message>
        <source>Settings were not saved</source>
        <extracomment>``(title, text)``: something the user must see (the window&apos;s banner). ``(title, text)``: the settings were not written; ``resolved`` takes its place. The settings in force from now on (the notification policy follows them). A title: what ``unsaved`` told is no longer so (the settings are written after all). The settings are written: a settings file that could not be read is replaced. Writes them again after a failed write: a full disk may have room by then.</extracomment>
        <translation>设置未能保存</translation>
    </message>
    <message>
        <source>Settings are saved again</source>
        <translation>设置已重新保存</translation>
    </message>
    <message>
        <source>Start at login was not changed</source>
        <translation>未能更改登录时启动设置</translation>
    </message>
    <message>
        <source>{path} was left: it is not the entry TCP Monitor writes (your own, or changed). Remove it yourself to stop it starting at login.</source>
        <translation>{path} 已保留：它不是 TCP Monitor 写入的启动项（是您自己的，或已被更改）。如需停止登录时启动，请自行删除它。</translation>
    </message>
    <message>
        <source>{path} was left: it is not the entry TCP Monitor writes (your own, or changed, or a link). Move it away to have TCP Monitor start at login.</source>
        <translation>{path} 已保留：它不是 TCP Monitor 写入的启动项（是您自己的、已被更改的，或是一个链接）。如需让 TCP Monitor 在登录时启动，请将它移走。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings — TCP Monitor</source>
        <extracomment>The spin boxes&apos; own limits: wide, so that ``Settings.from_dict`` has the last word. The language choices, in their own language (the way language menus show them).</extracomment>
        <translation>设置 — TCP Monitor</translation>
    </message>
    <message>
        <source>Start minimized (to the tray when there is one)</source>
        <extracomment>What the dialog has no field for, kept as it is: the global actions, metrics.</extracomment>
        <translation>启动时最小化（有系统托盘时最小化到托盘）</translation>
    </message>
    <message>
        <source>Notify when a connection goes down</source>
        <translation>连接断开时通知</translation>
    </message>
    <message>
        <source>Notify when a connection comes back up</source>
        <translation>连接恢复时通知</translation>
    </message>
    <message>
        <source>Play a sound with each notification</source>
        <translation>每次通知时播放声音</translation>
    </message>
    <message>
        <source>Automatic ({n})</source>
        <translation>自动（{n}）</translation>
    </message>
    <message>
        <source>Threads that host the monitors. Automatic uses one where Python has a global interpreter lock (more would only take turns), else min(4, CPU count): {n} on this computer.</source>
        <translation>承载监视任务的线程数。自动：Python 有全局解释器锁时取 1（更多线程只会轮流持锁），否则取 min(4, CPU 数)：在这台电脑上为 {n}。</translation>
    </message>
    <message numerus="yes">
        <source> days</source>
        <translation>
            <numerusform> 天</numerusform>
        </translation>
    </message>
    <message>
        <source>Start at login (minimized to the tray)</source>
        <translation>登录时启动（最小化到托盘）</translation>
    </message>
    <message>
        <source>Not available on this system</source>
        <translation>此系统不支持</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>The language applies at the next start.</source>
        <translation>语言设置在下次启动时生效。</translation>
    </message>
    <message>
        <source>Keep events for:</source>
        <translation>事件保留时长：</translation>
    </message>
    <message>
        <source>Worker threads:</source>
        <translation>工作线程：</translation>
    </message>
    <message>
        <source>0 means automatic ({n} here). Applies at the next start.</source>
        <translation>0 表示自动（此处为 {n}）。下次启动时生效。</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>After this computer wakes from sleep, drops are told only if they last: a few seconds, and while the network is still down, up to this long.</source>
        <translation>本机从休眠中唤醒后，只有持续存在的断开才会通知：先等几秒；如果网络仍未恢复，最多等待这么久。</translation>
    </message>
    <message>
        <source>After waking, wait for the network up to:</source>
        <translation>唤醒后等待网络恢复最多：</translation>
    </message>
    <message>
        <source>Each connection can also turn its notifications off in its own settings.</source>
        <translation>每个连接也可以在自己的设置中关闭通知。</translation>
    </message>
</context>
<context>
    <name>Spoken</name>
    <message>
        <source>; </source>
        <extracomment>What separates the things a screen reader reads in one name.</extracomment>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>State</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>up</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>down</source>
        <translation>断开</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>sleep</source>
        <translation>休眠</translation>
    </message>
    <message>
        <source>wake</source>
        <translation>唤醒</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>已变化</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>({duration} offline not counted)</source>
        <extracomment>The ``State``; it crosses QVariant as its plain string, so ``State(...)`` it back. A value the proxy can compare in C++ (no Python ``lessThan``): numbers or folded text. Column 0: ``GROUP_MARK + group + GROUP_MARK`` then the folded text the filter box searches, so the proxy filters with a regular expression, in C++ (``search_key``).</extracomment>
        <translation>（{duration} 离线时间未计入）</translation>
    </message>
    <message>
        <source>({duration} maintenance not counted)</source>
        <translation>（{duration} 维护时间不计入）</translation>
    </message>
    <message>
        <source>In maintenance until {time} ({windows})</source>
        <extracomment>A wrench: maintenance.</extracomment>
        <translation>维护中，直到 {time}（{windows}）</translation>
    </message>
    <message>
        <source>Maintenance windows: {windows}</source>
        <translation>维护时段：{windows}</translation>
    </message>
    <message>
        <source>Went down in a maintenance window</source>
        <translation>在维护时段内断开</translation>
    </message>
    <message>
        <source>Notices snoozed until unmuted</source>
        <translation>通知已暂停，直到取消静音</translation>
    </message>
    <message>
        <source>Notices snoozed until {time}</source>
        <translation>通知已暂停，直到 {time}</translation>
    </message>
    <message>
        <source>Down, not acknowledged</source>
        <translation>已断开，尚未确认</translation>
    </message>
</context>
<context>
    <name>StatusModel</name>
    <message>
        <source>State</source>
        <extracomment>Latency samples kept per profile for the sparkline.</extracomment>
        <translation>状态</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Detector</source>
        <translation>检测方式</translation>
    </message>
    <message>
        <source>Latency (ms)</source>
        <translation>延迟 (毫秒)</translation>
    </message>
    <message>
        <source>Last 60</source>
        <translation>最近 60 次</translation>
    </message>
    <message>
        <source>Uptime 24 h</source>
        <translation>24 小时在线率</translation>
    </message>
    <message>
        <source>For</source>
        <translation>持续</translation>
    </message>
    <message>
        <source>Last cause</source>
        <translation>最近原因</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>{cause}; now {retry}</source>
        <extracomment>The cause of the drop (or of the failures that degrade the row), from state events. While down: the cause the retries fail with now, when it is another one (a FIN, then refused reconnects); None otherwise. ``since`` on a clock that nobody sets (``clock.Times``): &quot;for&quot; counts from it. The stored uptime and the state changes since: ``uptime`` follows it every second. What the uptime cell shows, as compared each second (``write_uptime``). The row&apos;s place among all rows by name, then target: ties in the state column (and so in the default sort) keep this order instead of moving under the selection. What the event log last knew (``StatusModel.restore``), or the row at a pause, until a state is found again; and which of the two (``again.RESTART`` or ``again.PAUSE``). The state found at start (or resume) is the one left then: ``last_by``, or &quot;&quot;. Until when (Unix seconds) that text stays right unless the state changes. What each cell shows now, (text, sort key) by column: a cell is written only when its value changes (a Python comparison is far cheaper than a call into Qt). What the name cell&apos;s icon says: &quot;&quot;, &quot;snoozed&quot; or &quot;maintenance&quot; (``marks.write_marks``). The drop began in a maintenance window (its event said so). Shown in bold: a drop not acknowledged (``marks.needs_ack``). Until when the &quot;for&quot; cell&apos;s text stays right (it shows seconds, then minutes...). The model&apos;s tick that last wrote the clock cells (&quot;for&quot;, uptime, marks). Cells not written since a change, the row not being seen (``StatusModel.catch_up``). Brackets the group in the SEARCH role; no one types it into a group or the filter box.</extracomment>
        <translation>{cause}；现在：{retry}</translation>
    </message>
    <message>
        <source>{duration} (and before the restart)</source>
        <extracomment>More rows than any table holds: ``state_key`` = severity, then name order. &quot;For&quot; of the state found at start (or at a resume) that was the one left then.</extracomment>
        <translation>{duration}（重启前也是如此）</translation>
    </message>
    <message>
        <source>{duration} (and before the pause)</source>
        <translation>{duration}（暂停前也是如此）</translation>
    </message>
    <message>
        <source>Latency of the last 60 checks; red ticks are failed checks</source>
        <extracomment>Rows that only got samples are repainted at most this often (STYLE.md: coalesce updates). State changes are gathered for this long: a hundred changing within it cost one re-sort and one repaint, and a drop still shows within 0.25 s (its notification does not wait). ``dict[State, int]``, every state present, when any count changes. Profiles were set, added, edited or removed (groups may have changed); not on events. ``int``: how many drops are not acknowledged (``marks.needs_ack``), when it changes. ``list[str]``: profiles up again whose acknowledgement is spent (``marks.stale_ack``).</extracomment>
        <translation>最近 60 次检查的延迟；红色刻度表示失败的检查</translation>
    </message>
</context>
<context>
    <name>StatusTable</name>
    <message>
        <source>All groups</source>
        <translation>所有分组</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>未分组</translation>
    </message>
    <message>
        <source>Filter the connections</source>
        <extracomment>Columns whose sort keys change only with the state cell or the profile (``seen_rows``). A profile id, on double-click or Enter (the main window shows its details). The current row&apos;s profile id (None: no current row), when it changes. ``(list[str] of profile ids, QPoint global position)``; the window builds the menu.</extracomment>
        <translation>筛选连接</translation>
    </message>
    <message>
        <source>Filter by name, group, target, cause or detail</source>
        <translation>按名称、分组、目标、原因或详情筛选</translation>
    </message>
    <message>
        <source>Groups shown</source>
        <translation>显示的分组</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>No connections yet</source>
        <translation>还没有连接</translation>
    </message>
    <message>
        <source>Add a TCP connection to watch, or try the demo to see a drop reported as it happens.</source>
        <translation>添加一个要监视的 TCP 连接，或试用演示，看看断开是如何被即时报告的。</translation>
    </message>
    <message>
        <source>Add connection</source>
        <translation>添加连接</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>试用演示</translation>
    </message>
    <message>
        <source>&amp;Fit columns to their contents</source>
        <translation>列宽适应内容(&amp;F)</translation>
    </message>
</context>
<context>
    <name>StatusTooltip</name>
    <message>
        <source>{name}: {state} since {since}</source>
        <translation>{name}：自 {since} 起{state}</translation>
    </message>
    <message>
        <source>last cause: {cause}</source>
        <translation>最近原因：{cause}</translation>
    </message>
    <message>
        <source>reconnecting fails now: {cause}</source>
        <translation>重连当前失败原因：{cause}</translation>
    </message>
    <message>
        <source>noticed {delay} after the last good sign</source>
        <translation>在最后一次正常迹象后 {delay} 发现</translation>
    </message>
    <message>
        <source>the last drop was noticed {delay} after the last good sign</source>
        <translation>上次断开在最后一次正常迹象后 {delay} 发现</translation>
    </message>
    <message>
        <source>address: {address}</source>
        <translation>地址：{address}</translation>
    </message>
    <message>
        <source>Timed when the connection was made: a watch sends nothing, so nothing is timed while it holds the connection (a heartbeat times every answer).</source>
        <translation>在建立连接时测得：“静默监视”不发送任何数据，因此保持连接期间不计时（心跳会为每次应答计时）。</translation>
    </message>
    <message>
        <source>{state} since this program started; {state} when it last stopped too. Nothing was watched in between, so when that began or ended is not known.</source>
        <translation>自本程序启动以来为{state}；上次停止时也是{state}。其间无人监视，因此不知道何时开始或结束。</translation>
    </message>
    <message>
        <source>{state} since it was resumed; {state} when it was paused too. Nothing was watched in between, so when that began or ended is not known.</source>
        <translation>自恢复监视以来为{state}；暂停时也是{state}。其间无人监视，因此不知道何时开始或结束。</translation>
    </message>
    <message>
        <source>No checks yet</source>
        <translation>尚未检查</translation>
    </message>
    <message numerus="yes">
        <source>Last {n} checks: {failed} failed</source>
        <translation>
            <numerusform>最近 {n} 次检查：{failed} 次失败</numerusform>
        </translation>
    </message>
    <message>
        <source>; latency min {lo:.2f}, avg {avg:.2f}, max {hi:.2f} ms</source>
        <translation>；延迟最小 {lo:.2f}、平均 {avg:.2f}、最大 {hi:.2f} 毫秒</translation>
    </message>
</context>
<context>
    <name>StillDown</name>
    <message>
        <source>Still down: {name}</source>
        <extracomment>How long the drops found first wait for the log&apos;s answer at most (the policy&apos;s bound on the wait for news, ``COALESCE_S``). Profiles down when last watched, not yet found again; those of them paused then (the user resumes them: up again is no news, as at ``paused``). The log&apos;s answer is awaited (``expect``): the first states found are ``held`` (drops, held from the policy; ups, kept to tell &quot;Up again&quot; if they were down). Profiles whose state was found since the start (their first find is decided). Down before, found down (``DOWN``) or up (``UP``), told quietly at the next flush.</extracomment>
        <translation>仍然断开：{name}</translation>
    </message>
    <message numerus="yes">
        <source>%n connections still down: {names}</source>
        <translation>
            <numerusform>%n 个连接仍然断开：{names}</numerusform>
        </translation>
    </message>
    <message>
        <source>Down when last watched too (before the restart or the pause): not a new drop. Nothing was watched in between.</source>
        <translation>上次监视时（重启或暂停之前）也已断开：不是新的断开。其间无人监视。</translation>
    </message>
    <message>
        <source>Up again: {name}</source>
        <translation>已恢复：{name}</translation>
    </message>
    <message numerus="yes">
        <source>%n connections up again: {names}</source>
        <translation>
            <numerusform>%n 个连接已恢复：{names}</numerusform>
        </translation>
    </message>
    <message>
        <source>Down when last watched (before the restart), up now. When it came back is not known: nothing was watched in between.</source>
        <translation>上次监视时（重启之前）已断开，现在已连接。不知道何时恢复：其间无人监视。</translation>
    </message>
</context>
<context>
    <name>SystemError</name>
    <message>
        <source>Connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>Connection reset by peer</source>
        <translation>连接被对端重置</translation>
    </message>
    <message>
        <source>Connection timed out</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>Connection aborted</source>
        <translation>连接已中止</translation>
    </message>
    <message>
        <source>Software caused connection abort</source>
        <translation>软件导致连接中止</translation>
    </message>
    <message>
        <source>Broken pipe</source>
        <translation>管道已断开</translation>
    </message>
    <message>
        <source>No route to host</source>
        <translation>没有到主机的路由</translation>
    </message>
    <message>
        <source>Network is unreachable</source>
        <translation>网络不可达</translation>
    </message>
    <message>
        <source>Network is down</source>
        <translation>网络已断开</translation>
    </message>
    <message>
        <source>Host is down</source>
        <translation>主机已关闭</translation>
    </message>
    <message>
        <source>Cannot assign requested address</source>
        <translation>无法分配请求的地址</translation>
    </message>
    <message>
        <source>Address already in use</source>
        <translation>地址已被占用</translation>
    </message>
    <message>
        <source>Permission denied</source>
        <translation>权限不够</translation>
    </message>
    <message>
        <source>Operation not permitted</source>
        <translation>不允许的操作</translation>
    </message>
    <message>
        <source>Too many open files</source>
        <translation>打开的文件过多</translation>
    </message>
    <message>
        <source>No buffer space available</source>
        <translation>没有可用的缓冲区空间</translation>
    </message>
    <message>
        <source>Cannot allocate memory</source>
        <translation>无法分配内存</translation>
    </message>
    <message>
        <source>Protocol not available</source>
        <translation>协议不可用</translation>
    </message>
    <message>
        <source>Name or service not known</source>
        <translation>未知的名称或服务</translation>
    </message>
    <message>
        <source>Temporary failure in name resolution</source>
        <translation>域名解析暂时失败</translation>
    </message>
    <message>
        <source>No address associated with hostname</source>
        <translation>没有与主机名关联的地址</translation>
    </message>
    <message>
        <source>Address family for hostname not supported</source>
        <translation>不支持主机名的地址族</translation>
    </message>
    <message>
        <source>Non-recoverable failure in name resolution</source>
        <translation>域名解析出现不可恢复的错误</translation>
    </message>
    <message>
        <source>Servname not supported for ai_socktype</source>
        <translation>此套接字类型不支持该服务名</translation>
    </message>
    <message>
        <source>System error</source>
        <translation>系统错误</translation>
    </message>
    <message>
        <source>No such file or directory</source>
        <translation>没有那个文件或目录</translation>
    </message>
    <message>
        <source>Exec format error</source>
        <translation>可执行文件格式错误</translation>
    </message>
    <message>
        <source>Is a directory</source>
        <translation>是一个目录</translation>
    </message>
    <message>
        <source>Not a directory</source>
        <translation>不是目录</translation>
    </message>
    <message>
        <source>File exists</source>
        <translation>文件已存在</translation>
    </message>
    <message>
        <source>No space left on device</source>
        <translation>设备上没有空间</translation>
    </message>
    <message>
        <source>Read-only file system</source>
        <translation>只读文件系统</translation>
    </message>
    <message>
        <source>Disk quota exceeded</source>
        <translation>超出磁盘配额</translation>
    </message>
    <message>
        <source>Input/output error</source>
        <translation>输入/输出错误</translation>
    </message>
    <message>
        <source>File name too long</source>
        <translation>文件名过长</translation>
    </message>
    <message>
        <source>Too many levels of symbolic links</source>
        <translation>符号链接的层数过多</translation>
    </message>
    <message>
        <source>database or disk is full</source>
        <translation>数据库或磁盘已满</translation>
    </message>
    <message>
        <source>disk I/O error</source>
        <translation>磁盘 I/O 错误</translation>
    </message>
    <message>
        <source>unable to open database file</source>
        <translation>无法打开数据库文件</translation>
    </message>
    <message>
        <source>file is not a database</source>
        <translation>文件不是数据库</translation>
    </message>
    <message>
        <source>attempt to write a readonly database</source>
        <translation>试图写入只读数据库</translation>
    </message>
    <message>
        <source>database is locked</source>
        <translation>数据库已锁定</translation>
    </message>
    <message>
        <source>self-signed certificate</source>
        <translation>自签名证书</translation>
    </message>
    <message>
        <source>self-signed certificate in certificate chain</source>
        <translation>证书链中有自签名证书</translation>
    </message>
    <message>
        <source>certificate has expired</source>
        <translation>证书已过期</translation>
    </message>
    <message>
        <source>certificate is not yet valid</source>
        <translation>证书尚未生效</translation>
    </message>
    <message>
        <source>unable to get local issuer certificate</source>
        <translation>无法获取本地颁发者证书</translation>
    </message>
</context>
<context>
    <name>Tested</name>
    <message numerus="yes">
        <source>Tested {count} connections: all connected</source>
        <translation>
            <numerusform>已测试 {count} 个连接：全部连接成功</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tested {count} connections, {failed} failed: {which}</source>
        <translation>
            <numerusform>已测试 {count} 个连接，{failed} 个失败：{which}</numerusform>
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
            <numerusform>{state} {n}</numerusform>
        </translation>
    </message>
    <message>
        <source>This computer is offline</source>
        <translation>本机已离线</translation>
    </message>
    <message>
        <source>no connections</source>
        <translation>没有连接</translation>
    </message>
    <message numerus="yes">
        <source> and {n} more</source>
        <translation>
            <numerusform> 等另外 {n} 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Resume all</source>
        <translation>全部恢复</translation>
    </message>
    <message>
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Show/Hide window</source>
        <extracomment>The tray came or went while the program runs (a panel crash, a desktop switch). ``(profile_id, duration)`` from a recent event&apos;s submenu: ``core.snooze`` durations, &quot;&quot; to notify again. ``profile_id``: show the window with that connection selected. Of the events listed, the removed connections&apos; and the drops found again. Drops not acknowledged: shown as a count on the icon. Connections last told unknown because this computer could not check them.</extracomment>
        <translation>显示/隐藏窗口</translation>
    </message>
    <message>
        <source>Recent events</source>
        <translation>最近事件</translation>
    </message>
    <message>
        <source>Acknowledge all</source>
        <translation>全部确认</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message numerus="yes">
        <source>%n not acknowledged</source>
        <translation>
            <numerusform>%n 个尚未确认</numerusform>
        </translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>隐藏窗口</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <source>No events yet</source>
        <translation>暂无事件</translation>
    </message>
    <message>
        <source>{event} (down before the restart too)</source>
        <translation>{event}（重启前也已断开）</translation>
    </message>
    <message>
        <source>{event} (down before the pause too)</source>
        <translation>{event}（暂停前也已断开）</translation>
    </message>
    <message>
        <source>{event} (removed)</source>
        <translation>{event}(已删除)</translation>
    </message>
    <message>
        <source>Show in window</source>
        <translation>在窗口中显示</translation>
    </message>
    <message>
        <source>Snooze notices for 1 hour</source>
        <translation>暂停通知 1 小时</translation>
    </message>
    <message>
        <source>Snooze notices until tomorrow (08:00)</source>
        <translation>暂停通知到明天（08:00）</translation>
    </message>
    <message>
        <source>Snooze notices until unmuted</source>
        <translation>暂停通知，直到取消静音</translation>
    </message>
    <message>
        <source>Notify again</source>
        <translation>恢复通知</translation>
    </message>
</context>
<context>
    <name>UnreadNote</name>
    <message>
        <source>Older events could not be read: {why}</source>
        <translation>无法读取更早的事件：{why}</translation>
    </message>
    <message numerus="yes">
        <source>%n stored events are not shown: this version cannot read them (a kind or state a newer version of TCP Monitor wrote, or a damaged row).</source>
        <translation>
            <numerusform>%n 条已存储的事件未显示：此版本无法读取它们（较新版本的 TCP Monitor 写入的类型或状态，或已损坏的行）。</numerusform>
        </translation>
    </message>
</context>
</TS>
