"""The guest after the real-mock cases (side_effect.yml ends with the role provisioning again)."""
import ast
import json

MOCK = 'runuser -u mockbuild -- mock '


def volumes(host):
    out = host.check_output('lvs --reportformat json -o lv_name,lv_attr,pool_lv rm')
    return dict((lv['lv_name'], lv) for lv in json.loads(out)['report'][0]['lv'])


def test_mock_is_the_tested_version_and_runs_through_consolehelper(host):
    assert host.file('/usr/bin/mock').linked_to == '/usr/bin/consolehelper'
    assert host.check_output(MOCK + '--version').strip() == '6.7'
    assert 'mock' in host.user('mockbuild').groups


def test_both_configs_are_prewarmed_on_the_one_pool(host):
    lvs = volumes(host)
    assert lvs['rmpool']['lv_attr'].startswith('t')
    for root in ('rm-a', 'rm-b'):
        assert lvs['mock.%s.postinit' % root]['pool_lv'] == 'rmpool'


def debug_config(text):
    """mock --debug-config prints one "config_opts['KEY'] = pformat(VALUE)" per key that differs
    from mock's defaults (mock.py do_debugconfig); a pformat value may span several lines."""
    values, key, lines = {}, None, []
    for line in text.splitlines() + ["config_opts['']"]:
        if line.startswith("config_opts['"):
            if key:
                values[key] = '\n'.join(lines)
            key, _sep, first = line[len("config_opts['"):].partition("'] = ")
            lines = [first]
        elif key:
            lines.append(line)
    return values


def test_mock_loads_the_role_s_configs_with_lvm_root(host):
    for name in ('rm-a', 'rm-b'):
        config = debug_config(host.check_output(MOCK + '-r %s --debug-config' % name))
        assert ast.literal_eval(config['root']) == name
        assert ast.literal_eval(config['basedir']) == '/srv/rm/mock'
        plugins = ast.literal_eval(config['plugin_conf'])
        assert plugins['lvm_root_enable'] is True
        assert plugins['lvm_root_opts']['pool_name'] == 'rmpool'
        assert plugins['lvm_root_opts']['volume_group'] == 'rm'
